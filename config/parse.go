package config

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// spec is one variable as its struct field declares it.
type spec struct {
	Name    string // HERALD_...
	Field   string // Go field name, which is all env.ParseError carries
	Index   []int  // for reflect.Value.FieldByIndex
	Type    reflect.Type
	Default string
	Desc    string
	Secret  bool
	// AllowEmpty (tag emptyOK:"true") makes a variable set to "" mean
	// empty rather than its default, for settings that empty turns off.
	AllowEmpty bool
}

// specsOf lists the variables of struct type t in declaration order. A
// struct field without an env tag is walked into, so settings may be
// grouped later.
func specsOf(t reflect.Type) []spec {
	var specs []spec
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, ok := f.Tag.Lookup("env")
		name, _, _ := strings.Cut(tag, ",")
		if !ok || name == "" {
			if f.Type.Kind() == reflect.Struct {
				for _, s := range specsOf(f.Type) {
					s.Index = append([]int{i}, s.Index...)
					specs = append(specs, s)
				}
			}
			continue
		}
		if name == "-" {
			continue
		}
		specs = append(specs, spec{
			Name:    name,
			Field:   f.Name,
			Index:   []int{i},
			Type:    f.Type,
			Default: f.Tag.Get("envDefault"),
			Desc:    f.Tag.Get("desc"),
			Secret:  f.Tag.Get("secret") == "true",

			AllowEmpty: f.Tag.Get("emptyOK") == "true",
		})
	}
	return specs
}

// loaded is what parsing learnt beyond the typed values.
type loaded struct {
	specs  []spec
	raw    map[string]string // the text each variable was parsed from, defaults included
	set    map[string]bool   // variables given in the environment
	failed map[string]bool   // variables that did not parse, so validation skips them
}

// problem returns a VarError for variable name, echoing its value unless
// it is secret.
func (l loaded) problem(name, problem string) *VarError {
	e := &VarError{Var: name, Problem: problem}
	for _, s := range l.specs {
		if s.Name == name && !s.Secret {
			e.Value = shownValue(l.raw[name])
		}
	}
	return e
}

var redisType = reflect.TypeFor[Redis]()

// parse fills dst, a pointer to a struct with env tags, from environ and
// turns caarlos0/env's errors, which name Go fields, into VarErrors, which
// name variables.
func parse(dst any, environ map[string]string) (loaded, []error) {
	l := loaded{
		specs:  specsOf(reflect.TypeOf(dst).Elem()),
		raw:    map[string]string{},
		set:    map[string]bool{},
		failed: map[string]bool{},
	}
	err := env.ParseWithOptions(dst, env.Options{
		Environment: environ,
		FuncMap: map[reflect.Type]env.ParserFunc{
			redisType: func(v string) (any, error) { return ParseRedisURL(v) },
		},
		OnSet: func(key string, value any, _ bool) { l.raw[key] = fmt.Sprint(value) },
	})
	for _, s := range l.specs {
		v, present := environ[s.Name]
		switch {
		case v != "":
			l.set[s.Name] = true
		case present && s.AllowEmpty:
			// caarlos0/env gives an empty variable its default.
			reflect.ValueOf(dst).Elem().FieldByIndex(s.Index).SetZero()
			l.raw[s.Name] = ""
			l.set[s.Name] = true
		}
	}
	if err == nil {
		return l, nil
	}
	var all []error
	var agg env.AggregateError
	if errors.As(err, &agg) {
		all = agg.Errors
	} else {
		all = []error{err}
	}
	var errs []error
	for _, e := range all {
		var pe env.ParseError
		if !errors.As(e, &pe) {
			errs = append(errs, e)
			continue
		}
		s, ok := specByField(l.specs, pe.Name)
		if !ok {
			errs = append(errs, e)
			continue
		}
		l.failed[s.Name] = true
		var ve *VarError
		if errors.As(pe.Err, &ve) {
			errs = append(errs, ve)
			continue
		}
		errs = append(errs, l.problem(s.Name, parseProblem(s, pe.Err)))
	}
	return l, errs
}

func specByField(specs []spec, field string) (spec, bool) {
	for _, s := range specs {
		if s.Field == field {
			return s, true
		}
	}
	return spec{}, false
}

// parseProblem says in words why a value did not parse as its field's
// type. It never quotes err for a secret, since parsers echo their input.
func parseProblem(s spec, err error) string {
	switch s.Type {
	case reflect.TypeFor[time.Duration]():
		return "not a duration (e.g. 30s, 5m)"
	case reflect.TypeFor[slog.Level]():
		return "must be debug, info, warn or error"
	}
	switch s.Type.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if errors.Is(err, strconv.ErrRange) {
			return "number out of range"
		}
		return "not a number"
	case reflect.Float32, reflect.Float64:
		return "not a number"
	case reflect.Bool:
		return "not a boolean (true or false)"
	}
	if s.Secret {
		return "cannot parse"
	}
	return err.Error()
}
