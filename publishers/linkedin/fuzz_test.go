package linkedin

import (
	"strings"
	"testing"
	"time"
)

// Every parser of LinkedIn's answers takes outside input: none may
// panic, and what they accept must hold their promises.

func FuzzParseError(f *testing.F) {
	f.Add(401, []byte(`{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"The token used in the request has been revoked by the user"}`))
	f.Add(422, []byte(`{"errorDetailType":"com.linkedin.common.error.BadRequest","message":"com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of urn:li:share:7141138937766391808","errorDetails":{"inputErrors":[{"description":"Duplicate post is detected","input":{},"code":"DUPLICATE_POST"}]},"status":422}`))
	f.Add(400, []byte(`{"message":"bad SECRET here","status":400,"errorDetails":{"inputErrors":[{"description":"x","input":{"inputPath":{"fieldPath":"/commentary"}},"code":"FIELD_LENGTH_TOO_LONG"}]}}`))
	f.Add(502, []byte("<html>\nBad gateway SECRET</html>"))
	f.Add(500, []byte(`{"serviceErrorCode":"12","code":"lower"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := parseError(status, body, []string{"SECRET"})
		if e.Message == "" || strings.Contains(e.Error(), "SECRET") || strings.ContainsAny(e.Message, "\n\r") {
			t.Fatalf("parseError gave %q", e.Error())
		}
		if e.Duplicate != "" && !postURN.MatchString(e.Duplicate) {
			t.Fatalf("duplicate %q is not a post URN", e.Duplicate)
		}
		_ = classify("step", "scope", e, nil, time.Unix(0, 0), time.Minute)
	})
}

func FuzzParseImageInit(f *testing.F) {
	f.Add([]byte(`{"value":{"uploadUrlExpiresAt":1650567510704,"uploadUrl":"https://www.linkedin.com/dms-uploads/sp/v2/C4E10AQ/uploadedImage/0?ca=vector_feedshare&m=AQ","image":"urn:li:image:C4E10AQFoyyAjHPMQuQ"}}`))
	f.Add([]byte(`{"value":{"uploadUrl":"javascript:x","image":"urn:li:image:x"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		urn, u, err := parseImageInit(b)
		if err == nil && (!imageURN.MatchString(urn) || !httpURL(u)) {
			t.Fatalf("accepted %q %q", urn, u)
		}
	})
}

func FuzzParseVideoInit(f *testing.F) {
	f.Add([]byte(`{"value":{"uploadUrlsExpireAt":1,"video":"urn:li:video:C5F10AQ","uploadInstructions":[{"uploadUrl":"https://x/1","firstByte":0,"lastByte":9},{"uploadUrl":"https://x/2","firstByte":10,"lastByte":24}],"uploadToken":"t"}}`), int64(25))
	f.Add([]byte(`{"value":{"video":"urn:li:video:a","uploadInstructions":[{"uploadUrl":"https://x/1","firstByte":5,"lastByte":1}]}}`), int64(6))
	f.Fuzz(func(t *testing.T, b []byte, size int64) {
		up, err := parseVideoInit(b, size)
		if err != nil {
			return
		}
		next := int64(0)
		for _, p := range up.Parts {
			if p.First != next || p.Last < p.First || !httpURL(p.URL) {
				t.Fatalf("accepted parts %+v for %d bytes", up.Parts, size)
			}
			next = p.Last + 1
		}
		if next != size || !videoURN.MatchString(up.Video) {
			t.Fatalf("accepted %+v for %d bytes", up, size)
		}
	})
}

func FuzzParseMediaStatus(f *testing.F) {
	f.Add([]byte(`{"id":"urn:li:video:x","status":"PROCESSING_FAILED","processingFailureReason":"codec"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = parseMediaStatus(b) })
}

func FuzzParsePostList(f *testing.F) {
	f.Add([]byte(`{"elements":[{"id":"urn:li:share:1","author":"urn:li:person:a","commentary":"x","createdAt":1,"content":{"media":{"id":"urn:li:image:1"}}},{"id":"bad"}],"paging":{}}`))
	f.Add([]byte(`{"elements":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		posts, err := parsePostList(b)
		if err != nil {
			return
		}
		for _, p := range posts {
			if !postURN.MatchString(p.ID) {
				t.Fatalf("kept %q", p.ID)
			}
			_ = matches(p, postBody{Author: p.Author, Commentary: p.Commentary, Content: p.Content})
		}
	})
}

func FuzzParseShareStatistics(f *testing.F) {
	f.Add([]byte(`{"elements":[{"share":"urn:li:share:1","totalShareStatistics":{"impressionCount":10,"uniqueImpressionsCount":"7","clickCount":1,"likeCount":2,"commentCount":3,"shareCount":4,"engagement":0.5}},{"totalShareStatistics":{"likeCount":-1}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		stats, err := parseShareStatistics(b)
		if err != nil {
			return
		}
		for k, raw := range stats {
			if k != "" && !postURN.MatchString(k) {
				t.Fatalf("kept %q", k)
			}
			for name, v := range raw {
				if v < 0 {
					t.Fatalf("%s = %d", name, v)
				}
			}
		}
	})
}

func FuzzParseSocialActions(f *testing.F) {
	f.Add([]byte(`{"results":{"urn:li:share:1":{"$URN":"urn:li:activity:1","likesSummary":{"likedByCurrentUser":false,"totalLikes":12},"commentsSummary":{"totalFirstLevelComments":2,"aggregatedTotalComments":3}},"urn%3Ali%3AugcPost%3A2":{"likesSummary":{"totalLikes":-1}},"bad":{}},"statuses":{},"errors":{}}`))
	f.Add([]byte(`{"results":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sums, err := parseSocialActions(b)
		if err != nil {
			return
		}
		for urn, sum := range sums {
			if !postURN.MatchString(urn) {
				t.Fatalf("kept %q", urn)
			}
			for name, v := range sum.raw {
				if v < 0 {
					t.Fatalf("%s = %d", name, v)
				}
			}
		}
	})
}

func FuzzParseMemberAnalytics(f *testing.F) {
	f.Add([]byte(`{"elements":[{"count":12,"metricType":{"com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1":"IMPRESSION"}}]}`))
	f.Add([]byte(`{"elements":[{"count":9223372036854775807},{"count":1}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, err := parseMemberAnalytics(b); err == nil && n < 0 {
			t.Fatalf("count %d", n)
		}
	})
}

func FuzzParseNetworkSize(f *testing.F) {
	f.Add([]byte(`{"firstDegreeSize":1234}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if n, err := parseNetworkSize(b); err == nil && n < 0 {
			t.Fatalf("size %d", n)
		}
	})
}

func FuzzParseTokenAnswer(f *testing.F) {
	f.Add([]byte(`{"access_token":"AQV","expires_in":5184000,"refresh_token":"AQX","refresh_token_expires_in":31536000,"scope":"w_member_social"}`))
	f.Add([]byte(`{"access_token":"a","expires_in":-1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := parseTokenAnswer(b)
		if err == nil && (a.AccessToken == "" || a.ExpiresIn < 0 || a.RefreshTokenExpiresIn < 0) {
			t.Fatalf("accepted %+v", a)
		}
	})
}

func FuzzParseTokenError(f *testing.F) {
	f.Add(400, []byte(`{"error":"invalid_request","error_description":"The provided refresh token SECRET is invalid"}`))
	f.Add(401, []byte(`{"error":"invalid_client","error_description":"Client authentication failed"}`))
	f.Add(500, []byte(`oops SECRET`))
	f.Fuzz(func(t *testing.T, status int, b []byte) {
		code, desc := parseTokenError(status, b, []string{"SECRET"})
		if !codeWord(code) || strings.Contains(desc, "SECRET") {
			t.Fatalf("code %q desc %q", code, desc)
		}
	})
}

func FuzzParseDocumentInit(f *testing.F) {
	f.Add([]byte(`{"value":{"uploadUrlExpiresAt":1650567510704,"uploadUrl":"https://www.linkedin.com/dms-uploads/sp/v2/D4D10AQ/uploadedDocument/0?ca=vector_feedshare","document":"urn:li:document:D4D10AQH4gdv9"}}`))
	f.Add([]byte(`{"value":{"uploadUrl":"ftp://x","document":"urn:li:image:x"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		urn, u, err := parseDocumentInit(b)
		if err == nil && (!documentURN.MatchString(urn) || !httpURL(u)) {
			t.Fatalf("accepted document %q at %q", urn, u)
		}
	})
}
