package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Options locates an S3-compatible bucket.
type S3Options struct {
	Endpoint        string // http(s)://host[:port]; buckets are addressed by path
	Region          string // default us-east-1
	Bucket          string
	AccessKeyID     string
	SecretAccessKey string
}

// S3 is a Store in an S3-compatible bucket (AWS S3, MinIO, versitygw and
// the like). Objects are written without ACLs, so they are as private as
// the bucket.
type S3 struct {
	client   *minio.Client
	bucket   string
	endpoint string
}

// startCheckTimeout bounds NewS3's check of the bucket, retries included.
const startCheckTimeout = 20 * time.Second

// NewS3 connects to the bucket and checks that it exists; the error names
// the endpoint and the bucket when it does not or cannot be reached.
func NewS3(ctx context.Context, opts S3Options) (*S3, error) {
	u, err := url.Parse(opts.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
		return nil, fmt.Errorf("blob: S3 endpoint %q: must be an http(s) URL like https://s3.example.com, without a path", opts.Endpoint)
	}
	if opts.Bucket == "" {
		return nil, errors.New("blob: no S3 bucket")
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(opts.AccessKeyID, opts.SecretAccessKey, ""),
		Secure:       u.Scheme == "https",
		Region:       opts.Region,
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		return nil, fmt.Errorf("blob: S3 endpoint %s: %w", opts.Endpoint, err)
	}
	s := &S3{client: client, bucket: opts.Bucket, endpoint: u.Scheme + "://" + u.Host}
	ctx, cancel := context.WithTimeout(ctx, startCheckTimeout)
	defer cancel()
	ok, err := client.BucketExists(ctx, opts.Bucket)
	switch {
	case err != nil:
		return nil, fmt.Errorf("blob: cannot check S3 bucket %q at %s (unreachable, or these credentials are refused): %w", opts.Bucket, s.endpoint, err)
	case !ok:
		return nil, fmt.Errorf("blob: S3 bucket %q does not exist at %s", opts.Bucket, s.endpoint)
	}
	return s, nil
}

// Put uploads the object in one PUT (no multipart upload, so nothing is
// left behind by a failure): S3 makes it visible only once complete.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if size < 0 {
		return fmt.Errorf("blob: negative size %d", size)
	}
	body := newExactReader(r, size)
	if size == 0 {
		// An empty PUT may not read its body at all: check r is empty now.
		if err := body.checkEnd(); err != nil {
			return err
		}
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, body, size, minio.PutObjectOptions{
		ContentType:      contentType,
		DisableMultipart: true,
	})
	if err != nil {
		return fmt.Errorf("blob: put %s: %w", key, err)
	}
	if body.left != 0 || !body.done {
		// The client stopped reading early, so r was never checked to the end.
		s.Delete(context.WithoutCancel(ctx), key)
		return fmt.Errorf("blob: put %s: the content was not read to its end", key)
	}
	return nil
}

// Open starts a GET; the size comes from its response.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if err := ValidKey(key); err != nil {
		return nil, 0, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, s.error("get", key, err)
	}
	st, err := obj.Stat()
	if err != nil {
		obj.Close()
		return nil, 0, s.error("get", key, err)
	}
	return obj, st.Size, nil
}

// Delete removes the object; S3 answers a missing one with success too.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return s.error("delete", key, err)
	}
	return nil
}

// deleteBatch is how many keys one DeleteObjects request carries at most
// (S3's limit).
const deleteBatch = 1000

// DeletePrefix lists the prefix's objects and deletes them in batches.
func (s *S3) DeletePrefix(ctx context.Context, prefix string) error {
	if err := validPrefix(prefix); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when a batch fails
	var batch []minio.ObjectInfo
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ch := make(chan minio.ObjectInfo, len(batch))
		for _, o := range batch {
			ch <- o
		}
		close(ch)
		batch = batch[:0]
		for res := range s.client.RemoveObjects(ctx, s.bucket, ch, minio.RemoveObjectsOptions{}) {
			if res.Err != nil && minio.ToErrorResponse(res.Err).Code != minio.NoSuchKey {
				return s.error("delete", res.ObjectName, res.Err)
			}
		}
		return nil
	}
	for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return fmt.Errorf("blob: list %s at %s/%s: %w", prefix, s.endpoint, s.bucket, o.Err)
		}
		batch = append(batch, minio.ObjectInfo{Key: o.Key})
		if len(batch) == deleteBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// error wraps an S3 error, mapping a missing object to ErrNotFound.
func (s *S3) error(op, key string, err error) error {
	if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
		return fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return fmt.Errorf("blob: %s %s at %s/%s: %w", op, key, s.endpoint, s.bucket, err)
}
