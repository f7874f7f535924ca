package youtube

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"google.golang.org/api/youtube/v3"

	"github.com/heraldhq/herald/publishers"
)

// YouTube refuses metadata it does not like only after the upload has
// started, and starting one spends a unit of the scarce videos.insert
// bucket (100 a day per project). So the post is checked first, by the
// rules of the Data API's videos resource (developers.google.com/youtube
// /v3/docs/videos, "snippet" properties):
const (
	// MaxTitle: snippet.title "has a maximum length of 100 characters
	// and may contain all valid UTF-8 characters except < and >"; it is
	// required on insert.
	MaxTitle = 100
	// MaxDescription: snippet.description "has a maximum length of 5000
	// bytes and may contain all valid UTF-8 characters except < and >".
	MaxDescription = 5000
	// MaxTags: snippet.tags "has a maximum length of 500 characters";
	// the commas between tags count, and a tag with a space counts as if
	// quoted (two characters more).
	MaxTags = 500
)

// Categories are the video category ids a video may be given:
// videoCategories.list answers these as assignable (the others, 18, 21
// and 30-44, are YouTube's own groupings and refused on insert as
// invalidCategoryId).
var Categories = []string{"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28", "29"}

// language is a BCP-47 tag as YouTube takes it for defaultLanguage and
// defaultAudioLanguage (i18nLanguages.list: en, en-GB, zh-Hant, es-419).
var language = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)

// TagsLength is the length YouTube counts for tags: characters, the
// commas between tags, and two quotes around a tag with a space.
func TagsLength(tags []string) int {
	n := 0
	for i, t := range tags {
		if i > 0 {
			n++
		}
		n += utf8.RuneCountInString(t)
		if strings.ContainsRune(t, ' ') {
			n += 2
		}
	}
	return n
}

// checkSnippet refuses, naming the field, what YouTube would refuse with
// invalidTitle, invalidDescription, invalidTags or invalidCategoryId.
func checkSnippet(sn *youtube.VideoSnippet) error {
	bad := func(format string, args ...any) error {
		return publishers.Permanent(fmt.Errorf("youtube: "+format, args...))
	}
	switch n := utf8.RuneCountInString(sn.Title); {
	case strings.TrimSpace(sn.Title) == "":
		return bad("a video needs a title")
	case n > MaxTitle:
		return bad("title is %d characters, YouTube takes at most %d", n, MaxTitle)
	case strings.ContainsAny(sn.Title, "<>"):
		return bad("title contains < or >, which YouTube refuses")
	}
	switch {
	case len(sn.Description) > MaxDescription:
		return bad("description (the post's text) is %d bytes, YouTube takes at most %d", len(sn.Description), MaxDescription)
	case strings.ContainsAny(sn.Description, "<>"):
		return bad("description (the post's text) contains < or >, which YouTube refuses")
	}
	for _, t := range sn.Tags {
		if strings.ContainsAny(t, "<>") {
			return bad("option %s: tag %q contains < or >", OptionTags, t)
		}
	}
	if n := TagsLength(sn.Tags); n > MaxTags {
		return bad("option %s: %d characters as YouTube counts them (commas, and quotes around tags with spaces), at most %d", OptionTags, n, MaxTags)
	}
	if id := sn.CategoryId; id != "" && !slices.Contains(Categories, id) {
		return bad("option %s %q is not a category a video may have (%s)", OptionCategoryID, id, strings.Join(Categories, ", "))
	}
	return nil
}
