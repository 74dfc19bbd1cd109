// Package layers holds the test that enforces the dependency rule of
// docs/architecture.md: which package of this module may import which.
package layers

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/atlassian-mcp/atlassian-mcp/"

// allowed maps a package (its path in the module) to the packages of the
// module its non-test files may import. A package that is not listed may
// import nothing of ours that a listed package may not import: see
// unlisted below.
var allowed = map[string][]string{
	"adf":                  nil,
	"atlassian":            nil,
	"tokenstore":           nil,
	"internal/loopback":    nil,
	"internal/atomicfile":  nil,
	"internal/clocktest":   nil,
	"internal/groupcommit": nil,
	"schema":               {"atlassian"},
	"site":                 {"atlassian", "schema", "tokenstore"},
	"connect":              {"atlassian", "internal/loopback", "tokenstore"},
	"mcp":                  {"adf", "atlassian", "schema", "site", "tokenstore"},
	"gateway":              {"internal/atomicfile", "internal/groupcommit", "mcp"},
}

// neverImported may be imported by no production package except cmd, the
// benchmarks and test-helper packages (named *test, like internal/storetest).
var neverImported = []string{"sandbox", "cmd"}

func TestDependencyRule(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		if imports[pkg] == nil {
			imports[pkg] = map[string]bool{}
		}
		for _, im := range f.Imports {
			p := strings.Trim(im.Path.Value, `"`)
			if strings.HasPrefix(p, module) {
				imports[pkg][strings.TrimPrefix(p, module)] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mcp", "gateway", "atlassian", "cmd/atlassian-mcp"} {
		if imports[want] == nil {
			t.Fatalf("package %s not found under %s: the walk is broken", want, root)
		}
	}
	under := func(pkg, base string) bool { return pkg == base || strings.HasPrefix(pkg, base+"/") }
	for pkg, ims := range imports {
		for im := range ims {
			if ok, listed := allowed[pkg]; listed && !slices.Contains(ok, im) {
				t.Errorf("%s imports %s; docs/architecture.md allows it only %v", pkg, im, ok)
			}
			for _, never := range neverImported {
				testHelper := strings.HasSuffix(pkg, "test")
				if under(im, never) && !under(pkg, never) && !under(pkg, "cmd") && !under(pkg, "bench") && !testHelper {
					t.Errorf("%s imports %s, which only cmd and tests may import", pkg, im)
				}
			}
		}
	}
}
