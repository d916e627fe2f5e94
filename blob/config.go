package blob

import (
	"context"
	"fmt"

	"github.com/helpium/helpium/config"
)

// FromConfig opens the store HELPIUM_BLOB_STORE names: a Disk in
// HELPIUM_BLOB_DIR, or the S3 bucket of the HELPIUM_S3_* settings (checked
// to exist).
func FromConfig(ctx context.Context, c config.Config) (Store, error) {
	switch c.BlobStore {
	case "disk":
		d, err := NewDisk(c.BlobDir)
		if err != nil {
			return nil, err
		}
		return d, nil
	case "s3":
		s, err := NewS3(ctx, S3Options{
			Endpoint:        c.S3Endpoint,
			Region:          c.S3Region,
			Bucket:          c.S3Bucket,
			AccessKeyID:     c.S3AccessKeyID,
			SecretAccessKey: c.S3SecretAccessKey,
		})
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("blob: unknown store %q (HELPIUM_BLOB_STORE)", c.BlobStore)
}
