//go:build !linux

package main

import (
	"errors"
)

// separate needs Linux's CPU affinity calls.
func separate(*env) (func(), string, error) {
	return nil, "", errors.New("needs Linux's CPU affinity")
}
