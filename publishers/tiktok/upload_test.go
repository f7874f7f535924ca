package tiktok

import (
	"testing"
)

// checkRules fails t unless c follows TikTok's chunk rules for size.
func checkRules(t *testing.T, size int64, c chunking) {
	t.Helper()
	if c.size != size || c.count != size/c.chunk || c.count < 1 || c.count > maxChunks {
		t.Fatalf("size %d: %+v breaks the count rule", size, c)
	}
	if size < minChunk {
		if c.chunk != size || c.count != 1 {
			t.Fatalf("size %d under 5 MB not whole: %+v", size, c)
		}
		return
	}
	if c.chunk < minChunk && c.count > 1 || c.chunk > maxChunk {
		t.Fatalf("size %d: chunk %d out of 5-64 MB", size, c.chunk)
	}
	first, last := c.bounds(c.count - 1)
	if last != size-1 || last-first+1 > maxLastChunk || last-first+1 < c.chunk {
		t.Fatalf("size %d: last chunk %d-%d breaks the rules (%+v)", size, first, last, c)
	}
	if size > maxChunk && c.count < 2 {
		t.Fatalf("size %d over 64 MB in one chunk", size)
	}
}

func TestChunkPlan(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		size, preferred int64
		chunk, count    int64
	}{
		{1, DefaultChunkSize, 1, 1},
		{4 * mb, DefaultChunkSize, 4 * mb, 1},
		{minChunk, DefaultChunkSize, minChunk, 1},
		{7 * mb, DefaultChunkSize, 7 * mb, 1},
		{50_000_123, 10_000_000, 10_000_000, 5},
		{12 * mb, minChunk, minChunk, 2},
		{100 * mb, maxChunk, 50 * mb, 2},
		{MaxVideoBytes, minChunk, minChunk, MaxVideoBytes / minChunk},
		{20 * mb, 1, minChunk, 4},
		{20 * mb, 1 << 40, 20 * mb, 1},
	}
	for _, tt := range tests {
		c, err := chunkPlan(tt.size, tt.preferred)
		if err != nil || c.chunk != tt.chunk || c.count != tt.count {
			t.Errorf("chunkPlan(%d, %d) = %+v, %v; want chunk %d count %d", tt.size, tt.preferred, c, err, tt.chunk, tt.count)
			continue
		}
		checkRules(t, tt.size, c)
	}
	for _, size := range []int64{0, -1, MaxVideoBytes + 1} {
		if _, err := chunkPlan(size, DefaultChunkSize); err == nil {
			t.Errorf("chunkPlan(%d) accepted", size)
		}
	}
}

func FuzzChunkPlan(f *testing.F) {
	f.Add(int64(50_000_123), int64(10_000_000))
	f.Add(int64(64_000_001), int64(64_000_000))
	f.Add(int64(5<<20), int64(0))
	f.Fuzz(func(t *testing.T, size, preferred int64) {
		c, err := chunkPlan(size, preferred)
		if err != nil {
			return
		}
		checkRules(t, size, c)
		back, ok := parseChunking(c.String())
		if !ok || back != c {
			t.Fatalf("checkpoint round trip %+v -> %q -> %+v, %v", c, c.String(), back, ok)
		}
	})
}

func FuzzParseChunking(f *testing.F) {
	f.Add("50000123:10000000")
	f.Add("1:1")
	f.Add("9223372036854775807:1")
	f.Add(":")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := parseChunking(s)
		if !ok {
			return
		}
		if c.count < 1 || c.count > maxChunks || c.chunk <= 0 {
			t.Fatalf("parseChunking(%q) = %+v", s, c)
		}
		if _, last := c.bounds(c.count - 1); last != c.size-1 {
			t.Fatalf("parseChunking(%q) = %+v does not cover the file", s, c)
		}
	})
}
