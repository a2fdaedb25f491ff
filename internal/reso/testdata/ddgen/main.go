// Command ddgen extracts, from the RESO Data Dictionary's field and lookup
// lists (tab-separated: resource, field, type, lookup, max length,
// precision, scale, …; and lookup, value), the facts realty's tests hold
// $metadata to, for the fields realty serves and nothing else: no
// definitions or other text of the Dictionary.
//
//	go run ./internal/reso/testdata/ddgen -dict DIR [Resource.Field …]
//
// It keeps the fields already in dd_fields.tsv, adds the ones named, and
// rewrites dd_fields.tsv and dd_lookups.tsv (the values of the lookups the
// kept fields name) beside it.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	dict := flag.String("dict", "", "directory of the Dictionary's fields.tsv and lookups.tsv")
	out := flag.String("out", "internal/reso/testdata", "directory of dd_fields.tsv and dd_lookups.tsv")
	flag.Parse()
	if err := run(*dict, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "ddgen:", err)
		os.Exit(1)
	}
}

func run(dict, out string, add []string) error {
	served, err := readTSV(filepath.Join(out, "dd_fields.tsv"))
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	want := map[string]bool{}
	for _, r := range served {
		want[r[0]+"."+r[1]] = true
	}
	for _, a := range add {
		want[a] = true
	}
	fields, err := readTSV(filepath.Join(dict, "fields.tsv"))
	if err != nil {
		return err
	}
	var rows [][]string
	lookups := map[string]bool{}
	for _, f := range fields {
		if !want[f[0]+"."+f[1]] {
			continue
		}
		delete(want, f[0]+"."+f[1])
		rows = append(rows, f[:7])
		if f[3] != "" {
			lookups[strings.TrimPrefix(f[3], "org.reso.metadata.enums.")] = true
		}
	}
	if len(want) > 0 {
		return fmt.Errorf("not Data Dictionary fields: %v", slices.Sorted(mapKeys(want)))
	}
	values, err := readTSV(filepath.Join(dict, "lookups.tsv"))
	if err != nil {
		return err
	}
	var lrows [][]string
	for _, v := range values {
		if lookups[v[0]] {
			lrows = append(lrows, v[:2])
		}
	}
	header := []string{"resource", "field", "type", "lookup", "max_length", "precision", "scale"}
	if err := writeTSV(filepath.Join(out, "dd_fields.tsv"), header, rows); err != nil {
		return err
	}
	return writeTSV(filepath.Join(out, "dd_lookups.tsv"), []string{"lookup", "value"}, lrows)
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// readTSV reads a tab-separated file without its header line.
func readTSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		rows = append(rows, strings.Split(sc.Text(), "\t"))
	}
	if len(rows) > 0 {
		rows = rows[1:]
	}
	return rows, sc.Err()
}

func writeTSV(path string, header []string, rows [][]string) error {
	var b strings.Builder
	for _, r := range append([][]string{header}, rows...) {
		b.WriteString(strings.Join(r, "\t") + "\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
