package logging_test

import (
	"fmt"

	"github.com/heraldhq/herald/internal/logging"
)

// A task payload as Go encodes it (& as \u0026): masked string by string.
func ExampleRedactJSON() {
	s, ok := logging.RedactJSON([]byte(`{"media":"https://cdn.example/v.mp4?a=1\u0026X-Amz-Signature=9f8e7d6c"}`))
	fmt.Println(s, ok)
	// Output: {"media":"https://cdn.example/v.mp4?a=1&X-Amz-Signature=[redacted]"} true
}
