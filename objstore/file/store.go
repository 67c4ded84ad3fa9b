package file

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/cairnhq/cairn"
)

// hiddenDir is the per-bucket directory holding sidecars and temp files.
const hiddenDir = ".cairn"

// DefaultListMax is the number of objects List returns when max <= 0.
const DefaultListMax = 1000

// MaxKeyLen is the longest key accepted, in bytes (S3's limit).
const MaxKeyLen = 1024

// Store is a cairn.ObjectStore on a local directory tree; see the package doc.
type Store struct {
	root  string
	seed  maphash.Seed
	locks [64]sync.RWMutex // striped by bucket and key
}

var _ cairn.ObjectStore = (*Store)(nil)

// New returns a store rooted at root, creating the root directory if needed.
func New(root string) (*Store, error) {
	if root == "" {
		return nil, errors.New("file store: empty root")
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("file store root: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("file store root: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("file store root: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("file store root %s: not a directory", abs)
	}
	return &Store{root: abs, seed: maphash.MakeSeed()}, nil
}

// Root returns the absolute root directory.
func (s *Store) Root() string { return s.root }

// sidecar is the JSON document kept beside each object; see the package doc.
type sidecar struct {
	Version         int               `json:"version"`
	Size            int64             `json:"size"`
	ETag            string            `json:"etag,omitempty"`
	ContentType     string            `json:"contentType,omitempty"`
	ContentEncoding string            `json:"contentEncoding,omitempty"`
	Metadata        map[string]string `json:"metadata,omitempty"`
}

func (s *Store) lock(bucket, key string) *sync.RWMutex {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(bucket)
	h.WriteByte(0)
	h.WriteString(key)
	return &s.locks[h.Sum64()%uint64(len(s.locks))]
}

// Put implements cairn.ObjectStore. A negative size reads body to EOF.
func (s *Store) Put(ctx context.Context, bucket, key string, body io.Reader, size int64, opts cairn.PutOptions) error {
	const op = "put"
	dir, err := s.bucketDir(op, bucket)
	if err != nil {
		return err
	}
	if err := ValidateKey(key); err != nil {
		return invalidKey(op, err)
	}
	if err := ctx.Err(); err != nil {
		return ioError(op, bucket, key, err)
	}
	if err := s.put(ctx, dir, bucket, key, body, size, opts); err != nil {
		return ioError(op, bucket, key, err)
	}
	return nil
}

func (s *Store) put(ctx context.Context, dir, bucket, key string, body io.Reader, size int64, opts cairn.PutOptions) (err error) {
	tmpDir := filepath.Join(dir, hiddenDir, "tmp")
	if err := mkdirAll(dir, []string{hiddenDir, "tmp"}); err != nil {
		return err
	}
	var tmps []string
	defer func() {
		if err != nil {
			for _, p := range tmps {
				os.Remove(p)
			}
		}
	}()

	// The content.
	f, err := os.CreateTemp(tmpDir, "obj-*")
	if err != nil {
		return err
	}
	tmps = append(tmps, f.Name())
	h := md5.New()
	src := io.Reader(&ctxReader{ctx: ctx, r: body})
	if size >= 0 {
		src = io.LimitReader(src, size)
	}
	n, err := io.Copy(io.MultiWriter(f, h), src)
	if err == nil && size >= 0 && n != size {
		err = fmt.Errorf("body has %d bytes, want %d: %w", n, size, io.ErrUnexpectedEOF)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}

	// The sidecar.
	meta := sidecar{
		Version:         1,
		Size:            n,
		ETag:            `"` + hex.EncodeToString(h.Sum(nil)) + `"`,
		ContentType:     opts.ContentType,
		ContentEncoding: opts.ContentEncoding,
	}
	if len(opts.Metadata) > 0 {
		meta.Metadata = make(map[string]string, len(opts.Metadata))
		for k, v := range opts.Metadata {
			meta.Metadata[strings.ToLower(k)] = v
		}
	}
	js, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	mf, err := os.CreateTemp(tmpDir, "meta-*")
	if err != nil {
		return err
	}
	tmps = append(tmps, mf.Name())
	_, err = mf.Write(append(js, '\n'))
	if err == nil {
		err = mf.Sync()
	}
	if cerr := mf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}

	// Publish: sidecar first, then the object.
	elems := strings.Split(key, "/")
	objPath := filepath.Join(dir, filepath.FromSlash(key))
	metaPath := filepath.Join(dir, hiddenDir, "meta", filepath.FromSlash(key)+".json")
	l := s.lock(bucket, key)
	l.Lock()
	defer l.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := mkdirAll(dir, elems[:len(elems)-1]); err != nil {
		return err
	}
	prev, err := os.Lstat(objPath)
	switch {
	case err == nil && prev.IsDir():
		return fmt.Errorf("%s is a directory of other keys", key)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	replacing := err == nil
	if err := mkdirAll(dir, append([]string{hiddenDir, "meta"}, elems[:len(elems)-1]...)); err != nil {
		return err
	}
	if err := os.Rename(mf.Name(), metaPath); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(metaPath)); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), objPath); err != nil {
		if !replacing {
			os.Remove(metaPath)
		}
		return err
	}
	return syncDir(filepath.Dir(objPath))
}

// Get implements cairn.ObjectStore. The returned file is unaffected by later
// replacement or deletion of the object.
func (s *Store) Get(ctx context.Context, bucket, key string) (io.ReadCloser, cairn.ObjectInfo, error) {
	const op = "get"
	dir, err := s.bucketDir(op, bucket)
	if err != nil {
		return nil, cairn.ObjectInfo{}, err
	}
	if err := ValidateKey(key); err != nil {
		return nil, cairn.ObjectInfo{}, invalidKey(op, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, cairn.ObjectInfo{}, ioError(op, bucket, key, err)
	}
	l := s.lock(bucket, key)
	l.RLock()
	defer l.RUnlock()
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil {
		return nil, cairn.ObjectInfo{}, s.statError(op, bucket, key, err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		f.Close()
		return nil, cairn.ObjectInfo{}, noSuchKey(op, bucket, key)
	}
	if err != nil {
		f.Close()
		return nil, cairn.ObjectInfo{}, ioError(op, bucket, key, err)
	}
	info := objectInfo(key, fi, readSidecar(dir, key, fi.Size()), true)
	return f, info, nil
}

// Head implements cairn.ObjectStore.
func (s *Store) Head(ctx context.Context, bucket, key string) (cairn.ObjectInfo, error) {
	const op = "head"
	dir, err := s.bucketDir(op, bucket)
	if err != nil {
		return cairn.ObjectInfo{}, err
	}
	if err := ValidateKey(key); err != nil {
		return cairn.ObjectInfo{}, invalidKey(op, err)
	}
	if err := ctx.Err(); err != nil {
		return cairn.ObjectInfo{}, ioError(op, bucket, key, err)
	}
	l := s.lock(bucket, key)
	l.RLock()
	defer l.RUnlock()
	fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil {
		return cairn.ObjectInfo{}, s.statError(op, bucket, key, err)
	}
	if !fi.Mode().IsRegular() {
		return cairn.ObjectInfo{}, noSuchKey(op, bucket, key)
	}
	return objectInfo(key, fi, readSidecar(dir, key, fi.Size()), true), nil
}

// List implements cairn.ObjectStore.
func (s *Store) List(ctx context.Context, bucket, prefix, startAfter string, max int) ([]cairn.ObjectInfo, error) {
	const op = "list"
	dir, err := s.bucketDir(op, bucket)
	if err != nil {
		return nil, err
	}
	if max <= 0 {
		max = DefaultListMax
	}
	// Start at the deepest directory the prefix names; a prefix whose directory
	// part no valid key can have matches nothing.
	base := prefix[:strings.LastIndexByte(prefix, '/')+1]
	if base != "" && ValidateKey(base+"x") != nil {
		return nil, nil
	}
	w := lister{s: s, ctx: ctx, bucket: bucket, dir: dir, prefix: prefix, startAfter: startAfter, max: max}
	if err := w.walk(base); err != nil {
		return nil, ioError(op, bucket, prefix, err)
	}
	return w.out, nil
}

type lister struct {
	s                  *Store
	ctx                context.Context
	bucket, dir        string
	prefix, startAfter string
	max                int
	out                []cairn.ObjectInfo
}

type entry struct {
	sortKey string // the key of a file, the key prefix ("…/") of a directory
	dir     bool
}

// walk visits the directory holding keys that start with keyDir ("" or "a/b/")
// in S3 key order. Sorting a directory's entries by key ("name" for a file,
// "name/" for a directory) gives the key order of the whole tree, because all
// keys below a directory share its key prefix and so are contiguous in key order.
func (w *lister) walk(keyDir string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	d, err := os.Open(filepath.Join(w.dir, filepath.FromSlash(keyDir)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil
		}
		return err
	}
	des, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		if errors.Is(err, syscall.ENOTDIR) {
			return nil
		}
		return err
	}
	ents := make([]entry, 0, len(des))
	for _, de := range des {
		name := de.Name()
		if keyDir == "" && name == hiddenDir {
			continue
		}
		switch {
		case de.IsDir():
			ents = append(ents, entry{sortKey: keyDir + name + "/", dir: true})
		case de.Type().IsRegular():
			ents = append(ents, entry{sortKey: keyDir + name})
		}
	}
	slices.SortFunc(ents, func(a, b entry) int { return strings.Compare(a.sortKey, b.sortKey) })
	for _, e := range ents {
		if len(w.out) >= w.max {
			return nil
		}
		k := e.sortKey
		if e.dir {
			if !strings.HasPrefix(k, w.prefix) && !strings.HasPrefix(w.prefix, k) {
				continue
			}
			// Every key below k is < startAfter when startAfter > k and does not
			// start with k.
			if w.startAfter > k && !strings.HasPrefix(w.startAfter, k) {
				continue
			}
			if err := w.walk(k); err != nil {
				return err
			}
			continue
		}
		if !strings.HasPrefix(k, w.prefix) || k <= w.startAfter {
			continue
		}
		if info, ok := w.s.listInfo(w.dir, w.bucket, k); ok {
			w.out = append(w.out, info)
		}
	}
	return nil
}

func (s *Store) listInfo(dir, bucket, key string) (cairn.ObjectInfo, bool) {
	l := s.lock(bucket, key)
	l.RLock()
	defer l.RUnlock()
	fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil || !fi.Mode().IsRegular() {
		return cairn.ObjectInfo{}, false // deleted meanwhile
	}
	return objectInfo(key, fi, readSidecar(dir, key, fi.Size()), false), true
}

// Delete implements cairn.ObjectStore.
func (s *Store) Delete(ctx context.Context, bucket, key string) error {
	const op = "delete"
	dir, err := s.bucketDir(op, bucket)
	if err != nil {
		return err
	}
	if err := ValidateKey(key); err != nil {
		return invalidKey(op, err)
	}
	if err := ctx.Err(); err != nil {
		return ioError(op, bucket, key, err)
	}
	objPath := filepath.Join(dir, filepath.FromSlash(key))
	l := s.lock(bucket, key)
	l.Lock()
	defer l.Unlock()
	fi, err := os.Lstat(objPath)
	switch {
	case err == nil && fi.IsDir():
		return nil // a "directory" of other keys, not an object
	case err == nil:
		if err := os.Remove(objPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return ioError(op, bucket, key, err)
		}
		if err := syncDir(filepath.Dir(objPath)); err != nil {
			return ioError(op, bucket, key, err)
		}
	case !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
		return ioError(op, bucket, key, err)
	}
	metaPath := filepath.Join(dir, hiddenDir, "meta", filepath.FromSlash(key)+".json")
	if err := os.Remove(metaPath); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
		return ioError(op, bucket, key, err)
	}
	return nil
}

// CheckBucket implements cairn.ObjectStore. Local directories have no bucket
// policies, so it only checks that the bucket directory exists.
func (s *Store) CheckBucket(ctx context.Context, bucket, keyPrefix, trailARN string) error {
	if err := ctx.Err(); err != nil {
		return ioError("check bucket", bucket, "", err)
	}
	_, err := s.bucketDir("check bucket", bucket)
	return err
}

// bucketDir returns the directory of bucket, or an error wrapping
// cairn.ErrNoSuchBucket when it does not exist.
func (s *Store) bucketDir(op, bucket string) (string, error) {
	if bucket == "" || bucket == "." || bucket == ".." || strings.ContainsAny(bucket, "/\\\x00") {
		return "", &cairn.StoreError{Op: op, Code: "InvalidBucketName", Err: fmt.Errorf("invalid bucket name %q", bucket)}
	}
	dir := filepath.Join(s.root, bucket)
	fi, err := os.Stat(dir)
	switch {
	case err == nil && fi.IsDir():
		return dir, nil
	case err == nil, errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return "", noSuchBucket(op, bucket)
	default:
		return "", ioError(op, bucket, "", err)
	}
}

// statError maps the error of opening an object: a missing file is
// ErrNoSuchKey, unless the bucket itself is gone.
func (s *Store) statError(op, bucket, key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.EISDIR) {
		if _, berr := s.bucketDir(op, bucket); berr != nil {
			return berr
		}
		return noSuchKey(op, bucket, key)
	}
	return ioError(op, bucket, key, err)
}

// ValidateKey reports whether key can name an object of a file store.
func ValidateKey(key string) error {
	switch {
	case key == "":
		return errors.New("empty key")
	case len(key) > MaxKeyLen:
		return fmt.Errorf("key longer than %d bytes", MaxKeyLen)
	case strings.IndexByte(key, 0) >= 0:
		return fmt.Errorf("key %q contains NUL", key)
	case key[0] == '/':
		return fmt.Errorf("key %q starts with /", key)
	}
	for i, e := range strings.Split(key, "/") {
		switch {
		case e == "":
			return fmt.Errorf("key %q has an empty path element", key)
		case e == "." || e == "..":
			return fmt.Errorf("key %q has a %q path element", key, e)
		case i == 0 && e == hiddenDir:
			return fmt.Errorf("key %q is in the reserved directory %s", key, hiddenDir)
		}
	}
	return nil
}

// readSidecar returns the object's sidecar, or nil when it is missing, broken or
// stale (describing other content than the file of size bytes).
func readSidecar(dir, key string, size int64) *sidecar {
	b, err := os.ReadFile(filepath.Join(dir, hiddenDir, "meta", filepath.FromSlash(key)+".json"))
	if err != nil {
		return nil
	}
	var m sidecar
	if json.Unmarshal(b, &m) != nil || m.Size != size {
		return nil
	}
	return &m
}

func objectInfo(key string, fi fs.FileInfo, m *sidecar, full bool) cairn.ObjectInfo {
	info := cairn.ObjectInfo{Key: key, Size: fi.Size(), LastModified: fi.ModTime().UTC()}
	if m == nil {
		return info
	}
	info.ETag = m.ETag
	if full {
		info.ContentType = m.ContentType
		info.ContentEncoding = m.ContentEncoding
		info.Metadata = m.Metadata
	}
	return info
}

// mkdirAll creates the directories elems below base (which exists), fsyncing the
// parent of each one it creates so that the new entries survive a crash.
func mkdirAll(base string, elems []string) error {
	full := filepath.Join(append([]string{base}, elems...)...)
	if fi, err := os.Stat(full); err == nil && fi.IsDir() {
		return nil
	}
	p := base
	for _, e := range elems {
		next := filepath.Join(p, e)
		err := os.Mkdir(next, 0o755)
		switch {
		case err == nil:
			if err := syncDir(p); err != nil {
				return err
			}
		case errors.Is(err, fs.ErrExist):
			fi, err := os.Stat(next)
			if err != nil {
				return err
			}
			if !fi.IsDir() {
				return &fs.PathError{Op: "mkdir", Path: next, Err: syscall.ENOTDIR}
			}
		default:
			return err
		}
		p = next
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

func noSuchBucket(op, bucket string) error {
	return &cairn.StoreError{Op: op, Code: "NoSuchBucket", Err: fmt.Errorf("bucket %q: %w", bucket, cairn.ErrNoSuchBucket)}
}

func invalidKey(op string, err error) error {
	return &cairn.StoreError{Op: op, Code: "InvalidArgument", Err: err}
}

func noSuchKey(op, bucket, key string) error {
	return &cairn.StoreError{Op: op, Code: "NoSuchKey", Err: fmt.Errorf("%s/%s: %w", bucket, key, cairn.ErrNoSuchKey)}
}

// ioError classifies a local failure with an S3-like code: AccessDenied for
// permission errors, RequestCanceled or RequestTimeout when the context ended,
// InternalError otherwise.
func ioError(op, bucket, key string, err error) error {
	code := "InternalError"
	switch {
	case errors.Is(err, context.Canceled):
		code = "RequestCanceled"
	case errors.Is(err, context.DeadlineExceeded):
		code = "RequestTimeout"
	case errors.Is(err, fs.ErrPermission):
		code = "AccessDenied"
	case errors.Is(err, io.ErrUnexpectedEOF):
		code = "IncompleteBody"
	}
	return &cairn.StoreError{Op: op, Code: code, Err: fmt.Errorf("%s/%s: %w", bucket, key, err)}
}
