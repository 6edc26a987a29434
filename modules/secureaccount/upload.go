package secureaccount

import (
	"bytes"
	"errors"
	"image"
	_ "image/jpeg" // DecodeConfig reads JPEG headers
	_ "image/png"  // and PNG headers
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// MaxUpload is the largest file accepted: 4 MB.
const MaxUpload = 4 << 20

// UploadBodyLimit is the request body an upload route accepts: a 4 MB file
// plus the form around it. A file a little over 4 MB still reaches the
// handler, which answers with a field error instead of a bare 413.
const UploadBodyLimit = "5M"

// pdfTailWindow is how far from the end a PDF's end-of-file marker may
// be, as PDF readers allow.
const pdfTailWindow = 1024

// maxFilename is the longest file name kept, in characters.
const maxFilename = 120

// Problems with an uploaded file, as catalog keys.
const (
	uploadRequired = "ircc.upload.required"
	uploadEmpty    = "ircc.upload.empty"
	uploadTooLarge = "ircc.upload.too_large"
	uploadType     = "ircc.upload.type"
)

// fileType is an accepted kind of file.
type fileType struct {
	contentType string
	// exts are the extensions a name may end with; the first is added to
	// a name that has none of them.
	exts []string
}

var (
	typePDF  = fileType{"application/pdf", []string{".pdf"}}
	typeJPEG = fileType{"image/jpeg", []string{".jpg", ".jpeg"}}
	typePNG  = fileType{"image/png", []string{".png"}}
)

var (
	magicPDF = []byte("%PDF-")
	// pdfEnd ends every complete PDF; readers look for it in the last
	// kilobyte, so trailing bytes after it are tolerated up to there.
	pdfEnd    = []byte("%%EOF")
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte{0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A}
)

// sniff tells what a file is by its content alone: the name and the
// browser's Content-Type are never believed. An image must also have a
// header that decodes.
func sniff(content []byte) (fileType, bool) {
	switch {
	case bytes.HasPrefix(content, magicPDF):
		// The header alone is five bytes anyone can type in front of a
		// script; a cut-off or fake file rarely also ends like a PDF.
		tail := content[max(0, len(content)-pdfTailWindow):]
		if bytes.Contains(tail, pdfEnd) {
			return typePDF, true
		}
	case bytes.HasPrefix(content, magicJPEG):
		if cfg, format, err := image.DecodeConfig(bytes.NewReader(content)); err == nil && format == "jpeg" && cfg.Width > 0 && cfg.Height > 0 {
			return typeJPEG, true
		}
	case bytes.HasPrefix(content, magicPNG):
		if cfg, format, err := image.DecodeConfig(bytes.NewReader(content)); err == nil && format == "png" && cfg.Width > 0 && cfg.Height > 0 {
			return typePNG, true
		}
	}
	return fileType{}, false
}

// CheckUpload checks a file's content and returns it ready to store, or
// the catalog key of what is wrong with it.
func CheckUpload(name string, content []byte) (Upload, string) {
	switch {
	case len(content) == 0:
		return Upload{}, uploadEmpty
	case len(content) > MaxUpload:
		return Upload{}, uploadTooLarge
	}
	t, ok := sniff(content)
	if !ok {
		return Upload{}, uploadType
	}
	return Upload{Filename: cleanFilename(name, t), ContentType: t.contentType, Content: content}, ""
}

// cleanFilename keeps the last part of the name the browser sent, without
// control characters, not too long, and ending with an extension that
// matches the content.
func cleanFilename(name string, t fileType) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(strings.Trim(name, "."))
	if name == "" {
		name = "document"
	}
	ext := strings.ToLower(filepath.Ext(name))
	matches := false
	for _, e := range t.exts {
		if ext == e {
			matches = true
		}
	}
	if !matches {
		ext = t.exts[0]
		name += ext
	}
	if utf8.RuneCountInString(name) > maxFilename {
		base := []rune(strings.TrimSuffix(name, filepath.Ext(name)))
		name = string(base[:maxFilename-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

// readUpload reads the form's file field. A missing file is
// uploadRequired; a body the server cut off is uploadTooLarge.
func readUpload(c echo.Context, field string) (Upload, string, error) {
	fh, err := c.FormFile(field)
	switch {
	case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
		return Upload{}, uploadRequired, nil
	case tooLarge(err):
		return Upload{}, uploadTooLarge, nil
	case err != nil:
		return Upload{}, "", err
	}
	if fh.Size > MaxUpload {
		return Upload{}, uploadTooLarge, nil
	}
	content, err := readPart(fh)
	if err != nil {
		return Upload{}, "", err
	}
	if fh.Filename == "" && len(content) == 0 {
		return Upload{}, uploadRequired, nil
	}
	u, problem := CheckUpload(fh.Filename, content)
	return u, problem, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxUpload+1))
}

// tooLarge tells whether err is the body limit cutting a request off.
func tooLarge(err error) bool {
	var he *echo.HTTPError
	return errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge
}
