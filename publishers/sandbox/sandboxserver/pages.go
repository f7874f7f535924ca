package sandboxserver

import (
	"html/template"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"slices"
	"time"
)

// The pages let a person follow a demo in a browser; they are not part of
// the API, so they are neither logged in Calls nor subject to faults.

var pages = template.Must(template.New("posts").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;color:#222}
article{border:1px solid #ddd;border-radius:8px;padding:1em;margin:1em 0}
.meta{color:#777;font-size:.9em}img{max-width:100%}</style></head>
<body><h1>{{.Title}}</h1>
{{range .Posts}}<article>
<h2><a href="/p/{{.Post.ID}}">{{if .Post.Title}}{{.Post.Title}}{{else}}{{.Post.ID}}{{end}}</a></h2>
<p>{{.Post.Text}}</p>
{{range .Post.Media}}{{if eq .Kind "image"}}<p><img src="{{.URL}}" alt=""></p>{{else}}<p><a href="{{.URL}}">video</a></p>{{end}}{{end}}
<p class="meta">{{.Post.ID}} by {{.Post.AccountID}}, {{.Post.CreatedAt.Format "2006-01-02 15:04:05"}} (Herald post {{.Post.Ref}})<br>
{{.Stats.Views}} views, {{.Stats.Likes}} likes, {{.Stats.Comments}} comments, {{.Stats.Shares}} shares</p>
{{range .Post.Comments}}<p class="meta">{{.AccountID}} commented: {{.Text}}</p>{{end}}
</article>{{else}}<p>Nothing published yet.</p>{{end}}
</body></html>
`))

type pageData struct {
	Title string
	Posts []pagePost
}

type pagePost struct {
	Post  Post
	Stats postStats
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	p, ok := s.posts[r.PathValue("id")]
	var post Post
	if ok {
		post = *p
		post.Comments = slices.Clone(p.Comments)
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	s.render(w, pageData{Title: "Sandbox post " + post.ID, Posts: []pagePost{{post, statsOf(post.ID, time.Since(post.CreatedAt))}}})
}

func (s *Server) index(w http.ResponseWriter, _ *http.Request) {
	posts := s.Posts()
	slices.Reverse(posts)
	data := pageData{Title: "Sandbox platform"}
	for _, p := range posts {
		data.Posts = append(data.Posts, pagePost{p, statsOf(p.ID, time.Since(p.CreatedAt))})
	}
	s.render(w, data)
}

func (s *Server) render(w http.ResponseWriter, data pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	pages.Execute(w, data)
}

// media serves a generated picture under any name, so demo posts can have
// attachments without files.
func (s *Server) media(w http.ResponseWriter, r *http.Request) {
	const wd, ht = 480, 270
	seed := hash(r.PathValue("name"))
	img := image.NewRGBA(image.Rect(0, 0, wd, ht))
	for y := range ht {
		for x := range wd {
			img.Set(x, y, color.RGBA{
				R: uint8(255 * y / ht),
				G: uint8(int(seed%128) + 96*x/wd),
				B: uint8(255 - 255*y/ht),
				A: 255,
			})
		}
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "max-age=3600")
	jpeg.Encode(w, img, &jpeg.Options{Quality: 80})
}
