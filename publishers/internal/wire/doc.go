// Package wire is what the platform packages (publishers/<p> and their
// <p>test fakes) share to speak to a platform's HTTP API. It is internal
// because none of it is part of what a publisher promises the worker:
// that contract (Publisher, the error classes, Checkpoints, Metrics)
// stays in package publishers, and an app never needs these helpers.
//
// What it holds, one file each:
//
//   - quote.go: error-text hygiene. Quote is the one way a platform's
//     words (a message, a header, a field) enter an error string: valid
//     UTF-8, one line, bounded, every secret replaced by Redacted.
//     Redact, FirstLine and ErrorMessage build on it.
//   - numbers.go: reading platforms' JSON numbers as counts and codes
//     (Integer, Count, IntCode, NumericFields) and deriving the common
//     metrics from the raw ones (Renamed).
//   - retryafter.go: Retry-After as a bounded delay (ParseRetryAfter).
//   - session.go: the token of one call, its one forced refresh and the
//     secrets its errors must not show (Session).
//   - options.go: defaults for Options durations (Positive).
//
// A publisher quotes every outside text it puts in an error:
//
//	return publishers.Transient(fmt.Errorf("youtube: %s: %s", step,
//		wire.Quote(body, 100, s.Secrets()...)))
package wire
