package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// document is the part of an OpenAPI document the tests read.
type document struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components map[string]map[string]json.RawMessage `json:"components"`
}

func parseDocument(t *testing.T, b []byte) document {
	t.Helper()
	var d document
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return d
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// TestDocumentListsExactlyTheRegisteredRoutes: every pattern the API
// registers is an operation of openapi.json, and every operation there is
// a registered pattern.
func TestDocumentListsExactlyTheRegisteredRoutes(t *testing.T) {
	f := newFixture(t)
	d := parseDocument(t, openAPI)
	if !strings.HasPrefix(d.OpenAPI, "3.1.") {
		t.Errorf("openapi %q, want 3.1.x", d.OpenAPI)
	}
	var documented []string
	for path, item := range d.Paths {
		for method := range item {
			if slices.Contains(httpMethods, method) {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	registered := slices.Clone(f.api.patterns)
	slices.Sort(documented)
	slices.Sort(registered)
	for _, p := range registered {
		if !slices.Contains(documented, p) {
			t.Errorf("%s is served but not in openapi.json", p)
		}
	}
	for _, p := range documented {
		if !slices.Contains(registered, p) {
			t.Errorf("%s is in openapi.json but not served", p)
		}
	}
	if len(registered) != len(slices.Compact(slices.Clone(registered))) {
		t.Errorf("a pattern is registered twice: %v", registered)
	}
}

// TestDocumentIsWellFormed: every $ref resolves, every operation has an
// id and says what it answers, and public routes are exactly those the
// document marks without security.
func TestDocumentIsWellFormed(t *testing.T) {
	f := newFixture(t)
	var raw any
	if err := json.Unmarshal(openAPI, &raw); err != nil {
		t.Fatal(err)
	}
	d := parseDocument(t, openAPI)
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
				if len(parts) != 2 || d.Components[parts[0]][parts[1]] == nil {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(raw)
	ids := map[string]bool{}
	for path, item := range d.Paths {
		for method, op := range item {
			if !slices.Contains(httpMethods, method) {
				continue
			}
			var o struct {
				OperationID string                     `json:"operationId"`
				Responses   map[string]json.RawMessage `json:"responses"`
				Security    *[]any                     `json:"security"`
			}
			if err := json.Unmarshal(op, &o); err != nil {
				t.Fatal(err)
			}
			name := strings.ToUpper(method) + " " + path
			if o.OperationID == "" || ids[o.OperationID] {
				t.Errorf("%s: operationId %q missing or used twice", name, o.OperationID)
			}
			ids[o.OperationID] = true
			if len(o.Responses) == 0 {
				t.Errorf("%s: no responses", name)
			}
			public := o.Security != nil && len(*o.Security) == 0
			if public != f.api.public[name] {
				t.Errorf("%s: public in the document %v, served without a key %v", name, public, f.api.public[name])
			}
			if !public && o.Responses["401"] == nil {
				t.Errorf("%s: needs a key but documents no 401", name)
			}
		}
	}
}

func TestDocumentIsServed(t *testing.T) {
	f := newFixture(t)
	r := f.doWith("GET", "/v1/openapi.json", "", nil)
	expect(t, r, http.StatusOK)
	if !bytes.Equal(r.body, openAPI) || !bytes.Equal(OpenAPI(), openAPI) {
		t.Error("served document differs from openapi.json")
	}
}
