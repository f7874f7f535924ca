package instagram

import (
	"reflect"
	"testing"

	"github.com/heraldhq/herald/publishers"
)

// A count that is not a whole number is left out; the media stays.
func TestParseMediaFieldsKeepsMediaWithOddCounts(t *testing.T) {
	m, ok := parseMediaFields("17900000000000001", []byte(`{"id":"x","media_product_type":"FEED","like_count":"n/a","comments_count":4}`))
	if !ok {
		t.Fatal("media left out")
	}
	if m.ID != "17900000000000001" || m.ProductType != "FEED" {
		t.Errorf("media %+v", m)
	}
	if want := (publishers.Metrics{"comments_count": 4}); !reflect.DeepEqual(m.raw, want) {
		t.Errorf("raw %v, want %v", m.raw, want)
	}
}
