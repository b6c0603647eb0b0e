// Command gensdk writes the Node.js, Python and Go SDKs from provider/schema.json with Pulumi's
// own generators, pinned in go.mod. `pulumi package gen-sdk` would need each language's host.
//
//	go run . -schema ../../provider/schema.json -out ../../sdk -overlays ../../sdk/overlays
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-smartag-gensdk"

// keep lists what survives a regeneration in each language folder: files made by later steps
// (go mod tidy) and build output.
var keep = map[string]bool{"go.sum": true, "node_modules": true, "bin": true}

// noLoader refuses package references: the schema has none.
type noLoader struct{}

var errNoRefs = errors.New("this schema references no other package")

func (noLoader) LoadPackage(string, *semver.Version) (*schema.Package, error) { return nil, errNoRefs }
func (noLoader) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoRefs
}
func (noLoader) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errNoRefs
}
func (noLoader) LoadPackageReferenceV2(
	context.Context, *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, errNoRefs
}

func main() {
	schemaPath := flag.String("schema", "provider/schema.json", "the package schema")
	out := flag.String("out", "sdk", "folder that receives nodejs/, python/ and go/")
	overlays := flag.String("overlays", "sdk/overlays", "hand-written files per language, copied in")
	langs := flag.String("languages", "nodejs,python,go", "comma-separated languages to generate")
	flag.Parse()
	only := map[string]bool{}
	for _, l := range strings.Split(*langs, ",") {
		only[l] = true
	}
	if err := run(*schemaPath, *out, *overlays, only); err != nil {
		fmt.Fprintln(os.Stderr, "gensdk:", err)
		os.Exit(1)
	}
}

func run(schemaPath, out, overlays string, only map[string]bool) error {
	bind := func() (*schema.Package, error) {
		raw, err := os.ReadFile(schemaPath)
		if err != nil {
			return nil, err
		}
		var spec schema.PackageSpec
		if err := json.Unmarshal(raw, &spec); err != nil {
			return nil, fmt.Errorf("%s: %w", schemaPath, err)
		}
		pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{})
		if err != nil {
			return nil, err
		}
		if diags.HasErrors() {
			return nil, fmt.Errorf("%s: %s", schemaPath, diags.Error())
		}
		return pkg, nil
	}
	// Each generator records its language info on the package, so each gets a fresh bind.
	languages := []struct {
		name     string
		generate func(*schema.Package, map[string][]byte) (map[string][]byte, error)
	}{
		{"nodejs", func(p *schema.Package, extra map[string][]byte) (map[string][]byte, error) {
			return nodejs.GeneratePackage(tool, p, extra, nil, false, noLoader{})
		}},
		{"python", func(p *schema.Package, extra map[string][]byte) (map[string][]byte, error) {
			return python.GeneratePackage(tool, p, extra, noLoader{})
		}},
		{"go", func(p *schema.Package, _ map[string][]byte) (map[string][]byte, error) {
			return gogen.GeneratePackage(tool, p, nil)
		}},
	}
	for _, lang := range languages {
		if !only[lang.name] {
			continue
		}
		pkg, err := bind()
		if err != nil {
			return err
		}
		extra, err := readTree(filepath.Join(overlays, lang.name))
		if err != nil {
			return err
		}
		files, err := lang.generate(pkg, extra)
		if err != nil {
			return fmt.Errorf("%s: %w", lang.name, err)
		}
		if lang.name == "python" {
			// pyproject.toml names README.md beside it; Pulumi's Python host copies it there when packing.
			info, _ := pkg.Language["python"].(python.PackageInfo)
			files["README.md"] = files[info.PackageName+"/README.md"]
		}
		if err := writeTree(filepath.Join(out, lang.name), files); err != nil {
			return err
		}
		fmt.Printf("gensdk: %s: %d files\n", lang.name, len(files))
	}
	return nil
}

// readTree returns the files below dir by slash path; a missing dir is empty.
func readTree(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	return files, err
}

// writeTree replaces dir's content with files, sparing the names in keep at its top level.
func writeTree(dir string, files map[string][]byte) error {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, e := range entries {
		if !keep[e.Name()] {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.Contains(name, "..") {
			return fmt.Errorf("generated path %q leaves %s", name, dir)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
