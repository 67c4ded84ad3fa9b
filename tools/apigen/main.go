package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	service := flag.String("service", "", "service to generate (cloudtrail, sts, ...)")
	models := flag.String("models", "", "models directory (default: <module root>/models)")
	out := flag.String("out", ".", "output directory")
	flag.Parse()
	if err := run(*service, *models, *out); err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

func run(service, modelsDir, outDir string) error {
	cfg, ok := services[service]
	if !ok {
		var known []string
		for k := range services {
			known = append(known, k)
		}
		sort.Strings(known)
		return fmt.Errorf("unknown -service %q (known: %s)", service, strings.Join(known, ", "))
	}
	if modelsDir == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		modelsDir = filepath.Join(root, "models")
	}
	files, err := generateService(modelsDir, cfg)
	if err != nil {
		return err
	}
	return writeFiles(outDir, files)
}

// generateService loads the model of cfg and generates its files.
func generateService(modelsDir string, cfg serviceConfig) (map[string][]byte, error) {
	m, err := loadModel(modelsDir, cfg.Model)
	if err != nil {
		return nil, err
	}
	files, err := generate(m, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.Model, err)
	}
	return files, nil
}

// writeFiles replaces the *_gen.go files of dir with files.
func writeFiles(dir string, files map[string][]byte) error {
	old, err := filepath.Glob(filepath.Join(dir, "*_gen.go"))
	if err != nil {
		return err
	}
	for _, p := range old {
		if _, keep := files[filepath.Base(p)]; !keep {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory; pass -models")
		}
		dir = parent
	}
}
