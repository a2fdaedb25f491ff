package listing

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"realty"
)

// The formats an import file may have.
const (
	// FormatJSON is a RESO Web API (OData) response: {"value": [{…}, …]}.
	// A bare array of objects is taken too.
	FormatJSON = "json"
	// FormatJSONL is JSON lines: one listing object per line.
	FormatJSONL = "jsonl"
	// FormatCSV is comma-separated values whose header row names RESO
	// fields.
	FormatCSV = "csv"
)

// sniffBytes is how much of a file DetectFormat wants to see.
const sniffBytes = 64 << 10

// DetectFormat names an import file's format: .csv is CSV and .jsonl or
// .ndjson JSON lines; otherwise the first bytes tell (head should hold the
// first 64 KiB): an object on a line of its own is JSON lines, any other
// JSON is an OData response, anything else CSV. It returns an Invalid error
// naming "file" for an empty file.
func DetectFormat(name string, head []byte) (string, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return FormatCSV, nil
	case ".jsonl", ".ndjson":
		return FormatJSONL, nil
	}
	head = bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	switch {
	case len(head) == 0:
		return "", realty.FieldError("file", "is empty")
	case head[0] == '[':
		return FormatJSON, nil
	case head[0] != '{':
		return FormatCSV, nil
	}
	line, _, complete := bytes.Cut(head, []byte("\n"))
	var top map[string]json.RawMessage
	if (!complete && len(head) >= sniffBytes) || json.Unmarshal(line, &top) != nil {
		return FormatJSON, nil // an object spanning lines
	}
	if v, ok := top["value"]; ok && len(v) > 0 && v[0] == '[' {
		return FormatJSON, nil // an OData response on one line
	}
	return FormatJSONL, nil
}

var utf8BOM = []byte("\xef\xbb\xbf")

// value is one field of a record as the file gave it.
type value struct {
	text   string   // a string, or a number's or boolean's literal
	list   []string // a JSON array of strings
	isList bool
	null   bool // JSON null or an empty CSV cell
}

// record is one listing as read from the file.
type record struct {
	row   int                        // line (CSV, JSON lines) or position in the array (JSON)
	cells []string                   // CSV
	index map[string]int             // CSV: field name → cell
	obj   map[string]json.RawMessage // JSON
	bad   string                     // why the record could not be read at all
}

// get returns a field by RESO name and whether the record has it; err says
// why a JSON value is unusable.
func (r *record) get(name string) (value, bool, error) {
	if r.index != nil {
		i, ok := r.index[name]
		if !ok {
			return value{null: true}, false, nil
		}
		cell := strings.TrimSpace(r.cells[i])
		return value{text: cell, null: cell == ""}, true, nil
	}
	raw, ok := r.obj[name]
	if !ok {
		return value{null: true}, false, nil
	}
	v, err := jsonValue(raw)
	return v, true, err
}

// jsonValue reads a raw JSON value: strings quickly, arrays as lists of
// strings, numbers and booleans as their literal text.
func jsonValue(raw json.RawMessage) (value, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return value{null: true}, nil
	case raw[0] == '"':
		if bytes.IndexByte(raw, '\\') < 0 {
			s := strings.TrimSpace(string(raw[1 : len(raw)-1]))
			return value{text: s, null: s == ""}, nil
		}
		var s string
		err := json.Unmarshal(raw, &s)
		s = strings.TrimSpace(s)
		return value{text: s, null: s == ""}, err
	case raw[0] == '[':
		var items []any
		if err := json.Unmarshal(raw, &items); err != nil {
			return value{}, err
		}
		v := value{isList: true, list: make([]string, 0, len(items))}
		for _, it := range items {
			switch x := it.(type) {
			case string:
				v.list = append(v.list, x)
			case float64, bool:
				v.list = append(v.list, fmt.Sprint(x))
			default:
				return value{}, errors.New("must be a list of strings")
			}
		}
		return v, nil
	case raw[0] == '{':
		return value{}, errors.New("must not be an object")
	}
	return value{text: string(raw)}, nil
}

// recordReader yields a file's records in order; io.EOF ends them.
type recordReader interface {
	next() (*record, error)
}

// newRecordReader reads r in format. It returns an Invalid error naming
// "file" when the file's start does not fit the format.
func newRecordReader(r io.Reader, format string) (recordReader, error) {
	switch format {
	case FormatCSV:
		return newCSVReader(r)
	case FormatJSONL:
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 256<<10), 16<<20)
		return &jsonlReader{sc: sc}, nil
	case FormatJSON:
		return newJSONReader(r)
	}
	return nil, realty.FieldError("format", "must be json, jsonl or csv")
}

func badFile(format string, args ...any) error {
	return realty.FieldError("file", fmt.Sprintf(format, args...))
}

// jsonlReader reads one object per line; blank lines are skipped and a line
// that is not an object is a bad record, not a bad file.
type jsonlReader struct {
	sc   *bufio.Scanner
	line int
}

func (j *jsonlReader) next() (*record, error) {
	for j.sc.Scan() {
		j.line++
		b := bytes.TrimSpace(j.sc.Bytes())
		if j.line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM)
		}
		if len(b) == 0 {
			continue
		}
		rec := &record{row: j.line}
		if err := json.Unmarshal(b, &rec.obj); err != nil || rec.obj == nil {
			rec.bad = "is not a JSON object"
		}
		return rec, nil
	}
	if err := j.sc.Err(); err != nil {
		return nil, badFile("line %d: %v", j.line+1, err)
	}
	return nil, io.EOF
}

// jsonReader streams the objects of an OData response's value array (or of
// a bare array) without holding the file.
type jsonReader struct {
	dec *json.Decoder
	pos int
}

func newJSONReader(r io.Reader) (*jsonReader, error) {
	dec := json.NewDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return nil, badFile("is not JSON: %v", err)
	}
	if tok == json.Delim('[') {
		return &jsonReader{dec: dec}, nil
	}
	if tok != json.Delim('{') {
		return nil, badFile(`must be an OData response {"value": [...]}, an array of objects, or JSON lines`)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, badFile("is not JSON: %v", err)
		}
		if key == "value" {
			if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
				return nil, badFile(`"value" must be an array of listings`)
			}
			return &jsonReader{dec: dec}, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, badFile("is not JSON: %v", err)
		}
	}
	return nil, badFile(`has no "value" array of listings`)
}

func (j *jsonReader) next() (*record, error) {
	if !j.dec.More() {
		return nil, io.EOF
	}
	j.pos++
	rec := &record{row: j.pos}
	err := j.dec.Decode(&rec.obj)
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		rec.bad = "is not a JSON object"
	case err != nil:
		return nil, badFile("listing %d: %v", j.pos, err)
	case rec.obj == nil:
		rec.bad = "is not a JSON object"
	}
	return rec, nil
}

// csvReader reads records under a header row of RESO field names.
type csvReader struct {
	r     *csv.Reader
	index map[string]int
	width int
}

func newCSVReader(r io.Reader) (*csvReader, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, badFile("has no CSV header row: %v", err)
	}
	index := make(map[string]int, len(header))
	for i, name := range header {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		if _, dup := index[name]; dup {
			return nil, badFile("the CSV header names %s twice", name)
		}
		index[name] = i
	}
	for _, need := range []string{fListingKey, fListPrice, fCity} {
		if _, ok := index[need]; !ok {
			return nil, badFile("the CSV header has no %s column", need)
		}
	}
	return &csvReader{r: cr, index: index, width: len(header)}, nil
}

func (c *csvReader) next() (*record, error) {
	cells, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	line, _ := c.r.FieldPos(0)
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return &record{row: pe.StartLine, bad: "is not valid CSV: " + pe.Err.Error()}, nil
	case err != nil:
		return nil, badFile("line %d: %v", line, err)
	case len(cells) != c.width:
		return &record{row: line, bad: fmt.Sprintf("has %d fields; the header has %d", len(cells), c.width)}, nil
	}
	return &record{row: line, cells: cells, index: c.index}, nil
}
