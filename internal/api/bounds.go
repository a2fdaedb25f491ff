package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime/multipart"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"realty"
)

// What PostgreSQL refuses is refused at the edge, naming the field, before a
// domain call: huma validates every body against its schema (the struct
// tags: maxLength on every string, maxItems on every list, minimum and
// maximum on every number, TestRequestBodiesBounded holds every operation to
// it), and checkInput, run by Register before every handler, covers what a
// JSON schema cannot say:
//
//   - a string holding a NUL character (PostgreSQL's text cannot), anywhere
//     in the input: query, path and header parameters, the body and the
//     values of a multipart form;
//   - a decimal (money) past its column's numeric(precision, scale), read
//     from the field's `numeric:"14,2"` tag. A decimal field without one is
//     a programming error: Register panics when the operation is registered.
//
// A number too large for a float64 (1e400) would fail JSON decoding before
// validation, reported against the whole body; unmarshalJSON decodes it as
// the largest float64 of its sign instead, so the field's maximum names it.

// decimalType is the type of money fields.
var decimalType = reflect.TypeFor[decimal.Decimal]()

// checkInput returns an Invalid error naming every field of in (a pointer
// to an operation's input struct) that holds a NUL character or a decimal
// past its column's range, or nil.
func checkInput(in any) error {
	fields := map[string]string{}
	v := reflect.ValueOf(in).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		switch {
		case f.Name == "Body":
			walkValue(v.Field(i), "body", "", fields)
		case f.Name == "RawBody":
			if form, ok := v.Field(i).FieldByName("Form").Interface().(*multipart.Form); ok && form != nil {
				for name, values := range form.Value {
					walkValue(reflect.ValueOf(strings.Join(values, "")), "form."+name, "", fields)
				}
			}
		case f.Tag.Get("query") != "":
			walkValue(v.Field(i), "query."+tagName(f.Tag.Get("query")), "", fields)
		case f.Tag.Get("path") != "":
			walkValue(v.Field(i), "path."+tagName(f.Tag.Get("path")), "", fields)
		case f.Tag.Get("header") != "":
			walkValue(v.Field(i), "header."+tagName(f.Tag.Get("header")), "", fields)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return &realty.Error{Kind: realty.Invalid, Message: "validation failed", Fields: fields}
}

// walkValue checks v, found at path; numeric is the numeric tag of the field
// holding it.
func walkValue(v reflect.Value, path, numeric string, fields map[string]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkValue(v.Elem(), path, numeric, fields)
		}
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			fields[path] = "must not contain a NUL character"
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes and ids
		}
		for i := range v.Len() {
			walkValue(v.Index(i), fmt.Sprintf("%s[%d]", path, i), numeric, fields)
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		for _, k := range v.MapKeys() {
			walkValue(v.MapIndex(k), path+"."+k.String(), numeric, fields)
		}
	case reflect.Struct:
		if v.Type() == decimalType {
			if msg := checkNumeric(v.Interface().(decimal.Decimal), numeric); msg != "" {
				fields[path] = msg
			}
			return
		}
		walkStruct(v, path, fields)
	}
}

func walkStruct(v reflect.Value, path string, fields map[string]string) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			walkValue(v.Field(i), path, "", fields)
			continue
		}
		name := tagName(f.Tag.Get("json"))
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		walkValue(v.Field(i), path+"."+name, f.Tag.Get("numeric"), fields)
	}
}

func tagName(tag string) string {
	name, _, _ := strings.Cut(tag, ",")
	return name
}

// checkNumeric returns why d does not fit numeric(precision, scale), or "".
// PostgreSQL rounds to the scale first, then requires fewer than
// precision-scale integer digits.
func checkNumeric(d decimal.Decimal, tag string) string {
	precision, scale, err := parseNumeric(tag)
	if err != nil {
		return "" // Register refuses such a tag
	}
	limit := decimal.New(1, int32(precision-scale))
	if d.Round(int32(scale)).Abs().GreaterThanOrEqual(limit) {
		return fmt.Sprintf("must be less than %s in magnitude", limit.String())
	}
	return ""
}

func parseNumeric(tag string) (precision, scale int, err error) {
	p, s, ok := strings.Cut(tag, ",")
	if !ok {
		return 0, 0, errors.New("want numeric:\"precision,scale\"")
	}
	if precision, err = strconv.Atoi(p); err != nil {
		return 0, 0, err
	}
	if scale, err = strconv.Atoi(s); err != nil {
		return 0, 0, err
	}
	if precision < 1 || scale < 0 || scale > precision {
		return 0, 0, errors.New("want 0 <= scale <= precision, 1 <= precision")
	}
	return precision, scale, nil
}

var checkedTypes sync.Map // reflect.Type → true, once its tags passed requireTags

// requireTags panics when t (an operation's input type) holds a decimal
// field without a well-formed numeric tag: such a field could carry a value
// its column refuses without the edge noticing.
func requireTags(t reflect.Type) {
	if _, done := checkedTypes.Load(t); done {
		return
	}
	seen := map[reflect.Type]bool{}
	var visit func(t reflect.Type, where string)
	visit = func(t reflect.Type, where string) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || t == decimalType || seen[t] {
			return
		}
		seen[t] = true
		for i := range t.NumField() {
			f := t.Field(i)
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
			}
			if ft == decimalType {
				if _, _, err := parseNumeric(f.Tag.Get("numeric")); err != nil {
					panic(fmt.Sprintf("api: decimal field %s.%s needs a numeric tag matching its column: %v", where, f.Name, err))
				}
				continue
			}
			visit(f.Type, where+"."+f.Name)
		}
	}
	visit(t, t.String())
	checkedTypes.Store(t, true)
}

// unmarshalJSON is the API's JSON decoding. Into huma's validation value
// (*any), a number beyond float64's range becomes the largest float64 of its
// sign, so schema validation reports it against its field's maximum instead
// of failing the whole body.
func unmarshalJSON(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	target, isAny := v.(*any)
	if err == nil || !isAny || !errors.As(err, &te) || !strings.HasPrefix(te.Value, "number") {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var parsed any
	if err := d.Decode(&parsed); err != nil {
		return err
	}
	*target = clampNumbers(parsed)
	return nil
}

// clampNumbers replaces every json.Number in v with a float64, out-of-range
// ones with ±math.MaxFloat64.
func clampNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil && math.IsInf(f, 0) {
			return math.Copysign(math.MaxFloat64, f)
		}
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = clampNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = clampNumbers(e)
		}
	}
	return v
}

// idSchema is how ids appear in the schema: strings of their one length, so
// every body's ids are bounded (dates likewise: dateSchema).
type idSchema string

func (idSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "uuid", MinLength: ptrTo(36), MaxLength: ptrTo(36)}
}

func ptrTo[T any](v T) *T { return &v }

// registerSchemas makes realty's own scalar types speak for themselves in r.
func registerSchemas(r huma.Registry) {
	r.RegisterTypeAlias(reflect.TypeFor[realty.ID](), reflect.TypeFor[idSchema]())
	r.RegisterTypeAlias(reflect.TypeFor[realty.Date](), reflect.TypeFor[dateSchema]())
}
