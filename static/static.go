// Package static embeds Guichet's CSS, JavaScript and images and serves them
// under content-hashed URLs, so browsers may cache them for a year and a new
// release is fetched at once.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed css js img
var files embed.FS

type asset struct {
	body  []byte
	ctype string
	etag  string
}

var (
	assets = map[string]asset{}  // name -> content
	hashed = map[string]string{} // name -> /static/<hash>/name
)

func init() {
	// Loading here keeps the asset table immutable and lock-free for every
	// request; the embedded files are part of the binary, so this cannot fail
	// at run time.
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])[:12]
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		assets[p] = asset{body: b, ctype: ct, etag: `"` + h + `"`}
		hashed[p] = "/static/" + h + "/" + p
		return nil
	})
	if err != nil {
		panic(err)
	}
}

// Path returns the cache-busted URL of an embedded file such as
// "css/site.css". An unknown name returns a path that will 404, so a typo
// shows up in tests rather than crashing a page.
func Path(name string) string {
	if p, ok := hashed[name]; ok {
		return p
	}
	return "/static/missing/" + name
}

// Names lists every embedded file.
func Names() []string {
	out := make([]string, 0, len(assets))
	for n := range assets {
		out = append(out, n)
	}
	return out
}

// Handler serves /static/<hash>/<name>. A request with a stale hash still
// gets the current file, but only a matching hash is cached for a year.
func Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest := strings.TrimPrefix(r.URL.Path, "/static/")
		hash, name, ok := strings.Cut(rest, "/")
		a, found := assets[name]
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.ctype)
		h.Set("X-Content-Type-Options", "nosniff")
		if "/static/"+hash+"/"+name == hashed[name] {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		h.Set("ETag", a.etag)
		if r.Header.Get("If-None-Match") == a.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(a.body)
	})
}
