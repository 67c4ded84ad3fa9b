package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// dropped are the keys removed from the models.
var dropped = map[string]bool{"documentation": true, "documentationUrl": true, "examples": true}

// nameMaps are objects whose keys are names chosen by the model's authors, not model keywords.
var nameMaps = map[string]bool{"shapes": true, "operations": true, "members": true, "pagination": true}

func main() {
	src := flag.String("src", "../shared/models", "directory of botocore model files (*.json, *.json.gz)")
	dst := flag.String("dst", "models", "output directory")
	flag.Parse()
	if err := run(*src, *dst); err != nil {
		fmt.Fprintln(os.Stderr, "stripmodels:", err)
		os.Exit(1)
	}
}

func run(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".json.gz") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return fmt.Errorf("no model files in %s", src)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, n := range names {
		out, err := stripFile(filepath.Join(src, n))
		if err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		target := filepath.Join(dst, strings.TrimSuffix(n, ".gz"))
		if err := os.WriteFile(target, out, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s (%d bytes)\n", target, len(out))
	}
	return nil
}

func stripFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	dec := json.NewDecoder(r)
	dec.UseNumber() // keep numbers such as max long values exact
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return layout(strip(v, ""))
}

// layout writes compact JSON with sorted keys, except that the top-level object and
// the name maps directly below it (shapes, operations, pagination) put one entry per
// line, so a model change shows up as a one-line diff.
func layout(v any) ([]byte, error) {
	top, ok := v.(map[string]any)
	if !ok {
		b, err := compact(v)
		return append(b, '\n'), err
	}
	var buf bytes.Buffer
	buf.WriteString("{\n")
	for i, k := range sortedKeys(top) {
		if i > 0 {
			buf.WriteString(",\n")
		}
		kb, _ := compact(k)
		buf.Write(kb)
		buf.WriteByte(':')
		inner, isMap := top[k].(map[string]any)
		if !isMap || !nameMaps[k] {
			b, err := compact(top[k])
			if err != nil {
				return nil, err
			}
			buf.Write(b)
			continue
		}
		buf.WriteString("{\n")
		for j, name := range sortedKeys(inner) {
			if j > 0 {
				buf.WriteString(",\n")
			}
			nb, _ := compact(name)
			vb, err := compact(inner[name])
			if err != nil {
				return nil, err
			}
			buf.Write(nb)
			buf.WriteByte(':')
			buf.Write(vb)
		}
		buf.WriteString("\n}")
	}
	buf.WriteString("\n}\n")
	return buf.Bytes(), nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// compact marshals v with sorted keys and without HTML escaping.
func compact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// strip removes the dropped keys from v; parent is the key v was found under.
func strip(v any, parent string) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if dropped[k] && !nameMaps[parent] {
				continue
			}
			out[k] = strip(val, k)
		}
		return out
	case []any:
		for i := range t {
			t[i] = strip(t[i], parent)
		}
		return t
	default:
		return v
	}
}
