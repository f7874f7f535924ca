package media_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/media"
)

func ExampleFetcher_Open() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		io.WriteString(w, "not really a video")
	}))
	defer srv.Close()

	// Tests and demos serve media from loopback, so they allow private
	// addresses; production does not.
	f, err := media.New(media.Options{AllowPrivate: true, MaxBytes: 1 << 20})
	if err != nil {
		panic(err)
	}
	file, err := f.Open(context.Background(), srv.URL+"/launch.mp4", publishers.MediaVideo)
	if err != nil {
		fmt.Println(publishers.ClassOf(err), err)
		return
	}
	defer file.Close()
	n, _ := io.Copy(io.Discard, file)
	fmt.Println(file.ContentType, file.Size, n)

	strict, _ := media.New(media.Options{})
	_, err = strict.Open(context.Background(), srv.URL+"/launch.mp4?sig=secret", publishers.MediaVideo)
	fmt.Println(publishers.ClassOf(err), strings.Contains(err.Error(), "loopback"), strings.Contains(err.Error(), "secret"))
	// Output:
	// video/mp4 18 18
	// permanent true false
}
