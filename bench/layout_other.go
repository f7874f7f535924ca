//go:build !linux

package main

import (
	"context"
	"errors"
)

// separate needs Linux's CPU affinity calls.
func separate(context.Context, *env) (func(), string, error) {
	return nil, "", errors.New("needs Linux's CPU affinity")
}
