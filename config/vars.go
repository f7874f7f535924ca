package config

import (
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Var describes one variable Herald reads.
type Var struct {
	Name        string // e.g. HERALD_REDIS_URL
	Default     string // as written in the environment; empty for none
	Description string
	Secret      bool // its value is never printed
}

// Vars lists every variable Herald reads, in the order Config declares
// them.
func Vars() []Var {
	specs := specsOf(reflect.TypeFor[Config]())
	vars := make([]Var, len(specs))
	for i, s := range specs {
		vars[i] = Var{Name: s.Name, Default: s.Default, Description: s.Desc, Secret: s.Secret}
	}
	return vars
}

// VarValue is a variable with its effective value, printable: secrets read
// "set" or "unset" and the Redis URL has its passwords redacted.
type VarValue struct {
	Name    string
	Value   string
	Default bool // the value is the default: the variable was not set
}

// Values lists the effective value of every variable, in the order of
// Vars, for `herald doctor`.
func (c Config) Values() []VarValue {
	v := reflect.ValueOf(c)
	var out []VarValue
	for _, s := range specsOf(v.Type()) {
		out = append(out, VarValue{
			Name:    s.Name,
			Value:   printable(s, v.FieldByIndex(s.Index)),
			Default: !c.set[s.Name],
		})
	}
	return out
}

func printable(s spec, v reflect.Value) string {
	if s.Secret {
		if v.IsZero() {
			return "unset"
		}
		return "set"
	}
	switch x := v.Interface().(type) {
	case Redis:
		return x.String()
	case time.Duration:
		return shortDuration(x)
	case slog.Level:
		return levelName(x)
	case string:
		if x == "" {
			return "(none)"
		}
		return shownValue(x)
	case bool:
		return strconv.FormatBool(x)
	}
	// By kind, so every integer and float type prints (int64 settings
	// printed "?"), whatever its width.
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return "?"
}

// shortDuration writes 1h rather than time.Duration's 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Markdown renders every variable as a Markdown table (Variable, Default,
// Meaning), the one README.md shows.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| Variable | Default | Meaning |\n")
	b.WriteString("| --- | --- | --- |\n")
	cell := func(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
	for _, v := range Vars() {
		def := "*none*"
		if v.Default != "" {
			def = "`" + v.Default + "`"
		}
		desc := v.Description
		if v.Secret {
			desc += " Secret: never printed."
		}
		b.WriteString("| `" + v.Name + "` | " + cell(def) + " | " + cell(desc) + " |\n")
	}
	return b.String()
}
