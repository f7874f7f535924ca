package youtube_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/youtube"
)

// TestLargeVideoStreamsInBoundedMemory uploads 50 MB and checks that the
// heap never grew by more than a fraction of that: the video goes from
// the media server to the upload without being held. It does not run in
// parallel, so the heap it measures is its own.
func TestLargeVideoStreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 50 MB")
	}
	const size = 50 << 20
	const bound = 16 << 20
	e := setup(t, func(o *youtube.Options) { o.ChunkSize = 8 << 20 })

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	res, err := e.p.Publish(context.Background(), e.request("big", size, &publisherstest.Checkpoints{}))
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	v := e.onlyVideo(t)
	if v.ID != res.RemoteID || v.Size != size || v.SHA256 != sumOf(size) {
		t.Fatalf("video %s has %d bytes, want %d", v.ID, v.Size, size)
	}
	growth := int64(peak) - int64(base)
	t.Logf("peak heap growth %.1f MB for a %d MB video", float64(growth)/(1<<20), size>>20)
	if growth > bound {
		t.Errorf("peak heap grew by %d bytes uploading %d: the video was buffered", growth, size)
	}
}

// BenchmarkUploadThroughput uploads a 16 MB video through the fake and
// reports its throughput as a ratio of a plain io.Copy of the same bytes
// over a loopback TCP connection: 1 would mean the publisher costs
// nothing over the network copy.
func BenchmarkUploadThroughput(b *testing.B) {
	const size = 16 << 20
	e := setup(b, func(o *youtube.Options) { o.ChunkSize = 8 << 20 })
	baseline := loopbackCopy(b, size)
	b.SetBytes(size)
	b.ResetTimer()
	began := time.Now()
	for i := 0; b.Loop(); i++ {
		if _, err := e.p.Publish(context.Background(), e.request(fmt.Sprint("bench-", i), size, &publisherstest.Checkpoints{})); err != nil {
			b.Fatal(err)
		}
	}
	per := time.Since(began) / time.Duration(b.N)
	b.ReportMetric(float64(baseline)/float64(per), "ratio-of-io.Copy")
	b.ReportMetric(float64(size)/per.Seconds()/(1<<20), "MiB/s")
}

// loopbackCopy times io.Copy of size pattern bytes over loopback TCP,
// the best over a few runs.
func loopbackCopy(b *testing.B, size int64) time.Duration {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	best := time.Duration(1<<63 - 1)
	for range 3 {
		done := make(chan struct{})
		go func() {
			defer close(done)
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			io.Copy(io.Discard, c)
		}()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		began := time.Now()
		io.Copy(c, &pattern{size: size})
		c.Close()
		<-done
		best = min(best, time.Since(began))
	}
	return best
}
