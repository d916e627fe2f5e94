package db

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/uptrace/bun"
)

type embeddingRow struct {
	bun.BaseModel `bun:"table:embedding_cache"`

	Model      string    `bun:"model,pk"`
	TextSHA256 []byte    `bun:"text_sha256,pk"`
	Vector     []byte    `bun:"vector"`
	UsedAt     time.Time `bun:"used_at"`
}

// FindVectors returns the cached vectors of model for the given text
// hashes; hashes with no vector are absent from the map. Entries not used
// for a day are marked used, so that PruneVectors keeps them.
func (s *Store) FindVectors(ctx context.Context, model string, hashes [][32]byte) (map[[32]byte][]float32, error) {
	if len(hashes) == 0 {
		return map[[32]byte][]float32{}, nil
	}
	keys := make([][]byte, len(hashes))
	for i := range hashes {
		keys[i] = hashes[i][:]
	}
	var rows []embeddingRow
	err := s.db.NewSelect().Model(&rows).Where("model = ?", model).Where("text_sha256 IN (?)", bun.In(keys)).Scan(ctx)
	if err != nil {
		return nil, dbErr(err, "embedding")
	}
	out := make(map[[32]byte][]float32, len(rows))
	var stale [][]byte
	for _, r := range rows {
		v, err := decodeVector(r.Vector)
		if err != nil || len(r.TextSHA256) != 32 {
			continue // unreadable: embed again, and SaveVectors overwrites it
		}
		out[[32]byte(r.TextSHA256)] = v
		if time.Since(r.UsedAt) > 24*time.Hour {
			stale = append(stale, r.TextSHA256)
		}
	}
	if len(stale) > 0 {
		_, err := s.db.NewUpdate().Model((*embeddingRow)(nil)).Set("used_at = now()").
			Where("model = ?", model).Where("text_sha256 IN (?)", bun.In(stale)).Exec(ctx)
		if err != nil {
			return nil, dbErr(err, "embedding")
		}
	}
	return out, nil
}

// SaveVectors stores vectors of model by text hash, replacing any stored
// for the same hash.
func (s *Store) SaveVectors(ctx context.Context, model string, vectors map[[32]byte][]float32) error {
	if len(vectors) == 0 {
		return nil
	}
	rows := make([]embeddingRow, 0, len(vectors))
	for h, v := range vectors {
		rows = append(rows, embeddingRow{Model: model, TextSHA256: h[:], Vector: encodeVector(v), UsedAt: time.Now()})
	}
	_, err := s.db.NewInsert().Model(&rows).
		On("CONFLICT (model, text_sha256) DO UPDATE").Set("vector = EXCLUDED.vector, used_at = EXCLUDED.used_at").Exec(ctx)
	return dbErr(err, "embedding")
}

// PruneVectors deletes cached vectors not used since before, and returns
// how many.
func (s *Store) PruneVectors(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.NewDelete().Model((*embeddingRow)(nil)).Where("used_at < ?", before).Exec(ctx)
	if err != nil {
		return 0, dbErr(err, "embedding")
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// encodeVector writes v as little-endian float32s.
func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func decodeVector(b []byte) ([]float32, error) {
	if len(b)%4 != 0 || len(b) == 0 {
		return nil, fmt.Errorf("vector of %d bytes", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}
