package linkedintest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// UploadURLLife is how long upload URLs work.
const UploadURLLife = time.Hour

// Image is an image upload.
type Image struct {
	URN, Owner string
	Size       int64
	// Status is WAITING_UPLOAD until the bytes arrive, then PROCESSING
	// (see SetImageProcessing), AVAILABLE or PROCESSING_FAILED. Only an
	// AVAILABLE image can be posted.
	Status  string
	sig     string
	expires time.Time
	polls   int // status reads left in PROCESSING
	failed  string
}

// Video is a video upload.
type Video struct {
	URN, Owner string
	Size       int64
	// Status is WAITING_UPLOAD, PROCESSING, AVAILABLE or
	// PROCESSING_FAILED.
	Status string
	token  string
	sig    string
	parts  [][2]int64 // first, last
	etags  []string   // of uploaded parts, "" until then
	puts   []int      // PUTs per part
	polls  int        // status reads left in PROCESSING
	failed string
	final  bool
	expire time.Time
}

// Processing is how finalized videos become AVAILABLE: after Polls
// status reads in PROCESSING, or into PROCESSING_FAILED with Fail as the
// reason.
type Processing struct {
	Polls int
	Fail  string
}

// SetProcessing sets how videos finalized from now on get ready.
func (s *Server) SetProcessing(p Processing) {
	s.mu.Lock()
	s.processing = p
	s.mu.Unlock()
}

// SetImageProcessing sets how images uploaded from now on get ready:
// the zero value makes them AVAILABLE as their bytes arrive; Polls keeps
// them PROCESSING for that many status reads; Fail turns them
// PROCESSING_FAILED, with Fail as the reason, after those reads.
func (s *Server) SetImageProcessing(p Processing) {
	s.mu.Lock()
	s.imageProcessing = p
	s.mu.Unlock()
}

// Videos returns the video uploads, keyed by URN.
func (s *Server) Videos() map[string]Video {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]Video{}
	for k, v := range s.videos {
		out[k] = *v
	}
	return out
}

// Images returns the image uploads, keyed by URN.
func (s *Server) Images() map[string]Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]Image{}
	for k, v := range s.images {
		out[k] = *v
	}
	return out
}

type initRequest struct {
	InitializeUploadRequest struct {
		Owner         string `json:"owner"`
		FileSizeBytes int64  `json:"fileSizeBytes"`
	} `json:"initializeUploadRequest"`
}

func (s *Server) initImage(r *http.Request, body []byte) reply {
	if r.URL.Query().Get("action") != "initializeUpload" {
		return badRequest("unsupported action")
	}
	var req initRequest
	if json.Unmarshal(body, &req) != nil || !authorURN.MatchString(req.InitializeUploadRequest.Owner) {
		return fail(http.StatusUnprocessableEntity, 0, "", "/initializeUploadRequest/owner: required URN")
	}
	// Images API, "Initialize Image Upload": w_member_social or
	// w_organization_social, by the owner.
	if rep, ok := s.needScope(r, authorScope(req.InitializeUploadRequest.Owner, "w_%s_social"), "images.ACTION-initializeUpload"); !ok {
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.id()
	img := &Image{URN: fmt.Sprintf("urn:li:image:D4E10AQ%d", n), Owner: req.InitializeUploadRequest.Owner, Status: "WAITING_UPLOAD", sig: signature(), expires: s.now().Add(UploadURLLife)}
	s.images[img.URN] = img
	return answer(http.StatusOK, map[string]any{"value": map[string]any{
		"uploadUrlExpiresAt": img.expires.UnixMilli(),
		"uploadUrl":          fmt.Sprintf("%s/upload/image/%d?sig=%s", s.ts.URL, n, img.sig),
		"image":              img.URN,
	}})
}

func (s *Server) initVideo(r *http.Request, body []byte) reply {
	if r.URL.Query().Get("action") != "initializeUpload" {
		return badRequest("unsupported action")
	}
	var req initRequest
	if json.Unmarshal(body, &req) != nil || !authorURN.MatchString(req.InitializeUploadRequest.Owner) {
		return fail(http.StatusUnprocessableEntity, 0, "", "/initializeUploadRequest/owner: required URN")
	}
	// Videos API, "Initialize Video Upload": as images.
	if rep, ok := s.needScope(r, authorScope(req.InitializeUploadRequest.Owner, "w_%s_social"), "videos.ACTION-initializeUpload"); !ok {
		return rep
	}
	size := req.InitializeUploadRequest.FileSizeBytes
	if size <= 0 {
		return fail(http.StatusUnprocessableEntity, 0, "", "/initializeUploadRequest/fileSizeBytes: required, positive")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.id()
	v := &Video{URN: fmt.Sprintf("urn:li:video:C5F10AQ%d", n), Owner: req.InitializeUploadRequest.Owner, Size: size,
		Status: "WAITING_UPLOAD", token: "", sig: signature(), expire: s.now().Add(UploadURLLife)}
	var instr []any
	for first := int64(0); first < size; first += s.partSize {
		last := min(first+s.partSize, size) - 1
		v.parts = append(v.parts, [2]int64{first, last})
		instr = append(instr, map[string]any{
			"uploadUrl": fmt.Sprintf("%s/upload/video/%d/%d?sig=%s", s.ts.URL, n, len(v.parts), v.sig),
			"firstByte": first, "lastByte": last,
		})
	}
	if len(v.parts) > 1 {
		v.token = "upload-token-" + strconv.FormatInt(n, 10)
	}
	v.etags = make([]string, len(v.parts))
	v.puts = make([]int, len(v.parts))
	s.videos[v.URN] = v
	return answer(http.StatusOK, map[string]any{"value": map[string]any{
		"uploadUrlsExpireAt": v.expire.UnixMilli(), "video": v.URN,
		"uploadInstructions": instr, "uploadToken": v.token,
	}})
}

// upload runs a PUT of an upload URL: faults, then serve; logged.
func (s *Server) upload(serve func(r *http.Request, body []byte) reply) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<20))
		if err != nil {
			return
		}
		token, inURL := tokenOf(r)
		call := Call{Method: r.Method, Path: r.URL.Path, Endpoint: EndpointUpload, Query: r.URL.Query(), Authorized: token != "", TokenInURL: inURL, Size: int64(len(body))}
		f, faulty := s.fault(EndpointUpload)
		var rep reply
		if faulty && !f.Lost {
			rep = f.reply(r)
			s.countPut(r)
		} else {
			rep = serve(r, body)
		}
		call.Status, call.Lost = rep.status, faulty && f.Lost
		s.record(call)
		if call.Lost {
			lose(w)
			return
		}
		write(w, rep)
	})
}

// countPut notes a PUT of a video part that a fault answered.
func (s *Server) countPut(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, i, ok := s.part(r); ok {
		v.puts[i]++
	}
}

// part finds the video and part index of a part URL; callers hold mu.
func (s *Server) part(r *http.Request) (*Video, int, bool) {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	p, err2 := strconv.Atoi(r.PathValue("part"))
	if err1 != nil || err2 != nil {
		return nil, 0, false
	}
	v, ok := s.videos[fmt.Sprintf("urn:li:video:C5F10AQ%d", id)]
	if !ok || p < 1 || p > len(v.parts) {
		return nil, 0, false
	}
	return v, p - 1, true
}

func (s *Server) uploadImage(r *http.Request, body []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	img, ok := s.images["urn:li:image:D4E10AQ"+r.PathValue("id")]
	switch {
	case !ok || r.URL.Query().Get("sig") != img.sig:
		return fail(http.StatusForbidden, 0, "", "upload URL signature does not match")
	case s.now().After(img.expires):
		return fail(http.StatusForbidden, 0, "", "upload URL expired")
	case len(body) == 0:
		return badRequest("empty upload")
	}
	img.Size = int64(len(body))
	img.polls, img.failed = s.imageProcessing.Polls, s.imageProcessing.Fail
	img.Status = "PROCESSING"
	if img.polls == 0 && img.failed == "" {
		img.Status = "AVAILABLE"
	}
	return reply{status: http.StatusCreated}
}

// readImage answers GET /rest/images/{urn}: a PROCESSING image moves on
// once its polls are used up.
func (s *Server) readImage(r *http.Request, _ []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	img, ok := s.images[r.PathValue("urn")]
	if !ok {
		return fail(http.StatusNotFound, 0, "", "no such image")
	}
	return poll(&img.Status, &img.polls, img.failed, img.URN, img.Owner)
}

func (s *Server) uploadPart(r *http.Request, body []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, i, ok := s.part(r)
	switch {
	case !ok || r.URL.Query().Get("sig") != v.sig:
		return fail(http.StatusForbidden, 0, "", "upload URL signature does not match")
	case s.now().After(v.expire):
		v.puts[i]++
		return fail(http.StatusForbidden, 0, "", "upload URL expired")
	}
	v.puts[i]++
	want := v.parts[i][1] - v.parts[i][0] + 1
	if int64(len(body)) != want {
		return badRequest("part %d: got %d bytes, want %d", i+1, len(body), want)
	}
	v.etags[i] = fmt.Sprintf("/ambry-video/p%d-%d-%d", i+1, len(body), v.puts[i])
	return reply{status: http.StatusOK, header: http.Header{"Etag": {v.etags[i]}}}
}

func (s *Server) finalize(_ *http.Request, body []byte) reply {
	var req struct {
		FinalizeUploadRequest struct {
			Video           string   `json:"video"`
			UploadToken     string   `json:"uploadToken"`
			UploadedPartIDs []string `json:"uploadedPartIds"`
		} `json:"finalizeUploadRequest"`
	}
	if json.Unmarshal(body, &req) != nil {
		return badRequest("body is not a finalizeUploadRequest")
	}
	f := req.FinalizeUploadRequest
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[f.Video]
	switch {
	case !ok:
		return fail(http.StatusNotFound, 0, "", "no such video")
	case v.final:
		return badRequest("video %s is already finalized", v.URN)
	case f.UploadToken != v.token:
		return badRequest("uploadToken does not match")
	case !slices.Equal(f.UploadedPartIDs, v.etags) || slices.Contains(v.etags, ""):
		return badRequest("uploadedPartIds do not match the uploaded parts")
	}
	v.final = true
	v.Status = "PROCESSING"
	v.polls = s.processing.Polls
	v.failed = s.processing.Fail
	return reply{status: http.StatusOK}
}

func (s *Server) readVideo(r *http.Request, _ []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.videos[r.PathValue("urn")]
	if !ok {
		return fail(http.StatusNotFound, 0, "", "no such video")
	}
	return poll(&v.Status, &v.polls, v.failed, v.URN, v.Owner)
}

// poll answers a status read of an image or video. Each read of a
// PROCESSING upload uses up one of its polls; with none left it becomes
// PROCESSING_FAILED (when set to fail) or AVAILABLE.
func poll(status *string, polls *int, failed, urn, owner string) reply {
	if *status == "PROCESSING" {
		switch {
		case *polls > 0:
			*polls--
		case failed != "":
			*status = "PROCESSING_FAILED"
		default:
			*status = "AVAILABLE"
		}
	}
	out := map[string]any{"id": urn, "owner": owner, "status": *status}
	if *status == "PROCESSING_FAILED" {
		out["processingFailureReason"] = failed
	}
	return answer(http.StatusOK, out)
}
