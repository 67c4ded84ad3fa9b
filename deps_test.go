package cairn_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/cairnhq/cairn"

type pkgInfo struct {
	path    string
	doc     string
	imports []string
}

func listPackages(t *testing.T) []pkgInfo {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}\t{{.Doc}}\t{{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkgInfo
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 {
			t.Fatalf("go list line %q", line)
		}
		pkgs = append(pkgs, pkgInfo{path: f[0], doc: f[1], imports: strings.Fields(f[2])})
	}
	return pkgs
}

func rel(p string) string {
	if p == module {
		return "."
	}
	return strings.TrimPrefix(p, module+"/")
}

func hasPrefix(p string, prefixes ...string) bool {
	for _, x := range prefixes {
		if p == x || strings.HasPrefix(p, x+"/") {
			return true
		}
	}
	return false
}

// TestDependencyRules enforces the layering of STYLE.md on non-test imports.
func TestDependencyRules(t *testing.T) {
	for _, p := range listPackages(t) {
		self := rel(p.path)
		for _, imp := range p.imports {
			internal := strings.HasPrefix(imp, module)
			dep := rel(imp)
			std := !strings.Contains(strings.Split(imp, "/")[0], ".")
			bad := ""
			switch {
			case self == ".":
				if !std {
					bad = "the root package imports only the standard library"
				}
			case hasPrefix(self, "awsproto"):
				if internal && hasPrefix(dep, "api", "service", "gateway", "capture", "eventlog", "history", "identity", "cmd") {
					bad = "awsproto never imports api, service or the server layers"
				}
			case hasPrefix(self, "api"):
				if internal && dep != "." && !hasPrefix(dep, "awsproto") {
					bad = "api/* imports only the root and awsproto"
				}
			case hasPrefix(self, "service"):
				if internal && hasPrefix(dep, "gateway", "eventlog", "capture", "objstore", "lake", "query", "delivery", "cmd") {
					bad = "service/* never imports the gateway, storage or sink layers"
				}
				if internal && hasPrefix(dep, "api") && dep != "api/"+strings.TrimPrefix(self, "service/") {
					bad = "service/<svc> imports only its own api/<svc>"
				}
			case hasPrefix(self, "gateway"), hasPrefix(self, "capture"):
				if internal && hasPrefix(dep, "api", "service", "eventlog", "cmd") {
					bad = "gateway and capture never import api, service or eventlog"
				}
			case hasPrefix(self, "history"), hasPrefix(self, "identity"):
				if !std && dep != "." && !hasPrefix(dep, "awsproto") {
					bad = "history and identity import only the standard library, the root and awsproto"
				}
			case hasPrefix(self, "delivery"):
				if internal && hasPrefix(dep, "api", "gateway", "capture", "history", "identity", "objstore", "cmd") ||
					hasPrefix(dep, "service") && dep != "service/cloudtrail" {
					bad = "delivery imports the root, eventlog and service/cloudtrail (trails and selectors), never the gateway or a store implementation"
				}
			case hasPrefix(self, "signing"), hasPrefix(self, "validate"):
				if internal && dep != "." {
					bad = "signing and validate import only the root package"
				}
			case hasPrefix(self, "objstore"):
				if internal && dep != "." && !hasPrefix(dep, "objstore") {
					bad = "objstore/* imports only the root package (and its client library)"
				}
			case hasPrefix(self, "eventlog"):
				if internal && dep != "." {
					bad = "eventlog imports only the root package (and NATS)"
				}
			}
			if hasPrefix(dep, "query/duckdb") && !hasPrefix(self, "cmd/cairn") {
				bad = "only cmd/cairn imports query/duckdb (cgo)"
			}
			if bad != "" {
				t.Errorf("%s imports %s: %s", self, imp, bad)
			}
		}
	}
}

// TestPackageDocs requires a package comment (doc.go) in every package.
func TestPackageDocs(t *testing.T) {
	for _, p := range listPackages(t) {
		if strings.TrimSpace(p.doc) == "" {
			t.Errorf("package %s has no package documentation (doc.go)", rel(p.path))
		}
	}
}
