package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestStrip(t *testing.T) {
	var in any
	src := `{"documentation":"d","shapes":{"documentation":{"type":"structure","documentation":"x",
		"members":{"examples":{"shape":"S","documentation":"y"}}}},"examples":{}}`
	if err := json.Unmarshal([]byte(src), &in); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"shapes": map[string]any{"documentation": map[string]any{"type": "structure",
		"members": map[string]any{"examples": map[string]any{"shape": "S"}}}}}
	if got := strip(in, ""); !reflect.DeepEqual(got, want) {
		t.Errorf("strip = %v\nwant %v", got, want)
	}
}

// TestModels_Fresh regenerates models/ from ../shared/models when that directory is
// present and fails when the committed files differ.
func TestModels_Fresh(t *testing.T) {
	src := "../../../shared/models"
	if _, err := os.Stat(src); err != nil {
		t.Skip("botocore models not available:", err)
	}
	dst := t.TempDir()
	if err := run(src, dst); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dst, "*.json"))
	if len(names) != 12 {
		t.Errorf("%d model files, want 12", len(names))
	}
	for _, p := range names {
		want, _ := os.ReadFile(p)
		got, err := os.ReadFile(filepath.Join("../../models", filepath.Base(p)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("models/%s is stale: go run ./tools/stripmodels -src ../shared/models -dst models", filepath.Base(p))
		}
	}
}
