package use

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// Files of the model directory (the package's dist/ folder) and their
// SHA-256, so that Load refuses anything but the exact graph and weights the
// forward pass in this package was written for.
var modelFiles = map[string]string{
	"model.json":       "507d11df18b070f99e0ad650b9a4e6534a4cfb05040127e8ce579f00c8fa3b53",
	"vocab.json":       "1ad860b9720c16cd48e666d664a556b2515c04f5a26a4b53c0372427913b1b8e",
	"group1-shard1of7": "8775e61b6a4235ea230a62a0d81f1ff00f5213ce86baa5d89c29e611f8cd7412",
	"group1-shard2of7": "deaf897e5eea5be6c71ea62876a092034560b6f6fbc99c87a768076385a465bd",
	"group1-shard3of7": "50ee49b0daf620cf0cacda2f5fcc0da5929f4a3e520034844b6f8d9f3f4ec936",
	"group1-shard4of7": "c1a50daae51e7c6e1e904f5d8d638a8658a0a1d310b9345cd7a368866304d596",
	"group1-shard5of7": "410cde3029282e5f601c782985cbb5caa96977f6705dec981c98dd02e93fec6b",
	"group1-shard6of7": "83ef116b2b98dc98e03547280ca0166142fbf6b4547bf1d9e6d13a8f518c088b",
	"group1-shard7of7": "a29a5e08ee3afd839250b9187b89f1d3163749b5b1807bb175341a16c6012689",
}

// tfjsModel is the part of a TF.js graph-model model.json that Load reads.
type tfjsModel struct {
	WeightsManifest []struct {
		Paths   []string `json:"paths"`
		Weights []struct {
			Name         string          `json:"name"`
			Shape        []int           `json:"shape"`
			Dtype        string          `json:"dtype"`
			Quantization json.RawMessage `json:"quantization"`
		} `json:"weights"`
	} `json:"weightsManifest"`
}

type tensor struct {
	shape []int
	f32   []float32
	i32   []int32
}

func (t *tensor) size() int {
	n := 1
	for _, d := range t.shape {
		n *= d
	}
	return n
}

// readVerified reads a model file and checks its SHA-256.
func readVerified(dir, name string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != modelFiles[name] {
		return nil, fmt.Errorf("%s: SHA-256 %s, want %s (not the use-lite 0.2.0 model file)", name, got, modelFiles[name])
	}
	return b, nil
}

// readVerifiedInto reads a model file into buf (which must be large enough)
// and checks its SHA-256. It returns the file's length.
func readVerifiedInto(dir, name string, buf []byte) (int, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := io.ReadFull(f, buf)
	if err != io.ErrUnexpectedEOF && err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if extra, _ := f.Read(make([]byte, 1)); extra != 0 {
		return 0, fmt.Errorf("%s: changed while being read", name)
	}
	sum := sha256.Sum256(buf[:n])
	if got := hex.EncodeToString(sum[:]); got != modelFiles[name] {
		return 0, fmt.Errorf("%s: SHA-256 %s, want %s (not the use-lite 0.2.0 model file)", name, got, modelFiles[name])
	}
	return n, nil
}

// loadWeights parses model.json (whose graph the forward pass implements; its
// hash is checked) and returns every weight of the manifest by name.
func loadWeights(dir string) (map[string]*tensor, error) {
	b, err := readVerified(dir, "model.json")
	if err != nil {
		return nil, err
	}
	var m tfjsModel
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("model.json: %w", err)
	}
	weights := make(map[string]*tensor)
	for _, group := range m.WeightsManifest {
		total := int64(0)
		for _, p := range group.Paths {
			if _, ok := modelFiles[p]; !ok || filepath.Base(p) != p {
				return nil, fmt.Errorf("model.json: unexpected weight file %q", p)
			}
			fi, err := os.Stat(filepath.Join(dir, p))
			if err != nil {
				return nil, err
			}
			total += fi.Size()
		}
		data := make([]byte, total)
		off := 0
		for _, p := range group.Paths {
			n, err := readVerifiedInto(dir, p, data[off:])
			if err != nil {
				return nil, err
			}
			off += n
		}
		data = data[:off]
		off = 0
		for _, w := range group.Weights {
			if len(w.Quantization) > 0 && string(w.Quantization) != "null" {
				return nil, fmt.Errorf("weight %s: quantized weights are not supported", w.Name)
			}
			t := &tensor{shape: w.Shape}
			n := t.size()
			if off+4*n > len(data) {
				return nil, fmt.Errorf("weight %s: shards hold %d bytes, need %d", w.Name, len(data), off+4*n)
			}
			raw := data[off : off+4*n]
			off += 4 * n
			switch w.Dtype {
			case "float32":
				t.f32 = make([]float32, n)
				for i := range t.f32 {
					t.f32[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
				}
			case "int32":
				t.i32 = make([]int32, n)
				for i := range t.i32 {
					t.i32[i] = int32(binary.LittleEndian.Uint32(raw[4*i:]))
				}
			default:
				return nil, fmt.Errorf("weight %s: unsupported dtype %q", w.Name, w.Dtype)
			}
			weights[w.Name] = t
		}
		if off != len(data) {
			return nil, fmt.Errorf("weights manifest covers %d of %d shard bytes", off, len(data))
		}
	}
	return weights, nil
}

// weightSet looks up named weights, collecting the first error.
type weightSet struct {
	w   map[string]*tensor
	err error
}

func (s *weightSet) fail(format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf(format, args...)
	}
}

func (s *weightSet) floats(name string, shape ...int) []float32 {
	t, ok := s.w[name]
	if !ok {
		s.fail("weight %s missing", name)
		return make([]float32, prod(shape))
	}
	if t.f32 == nil || !sameShape(t.shape, shape) {
		s.fail("weight %s: shape %v (float32: %v), want float32 %v", name, t.shape, t.f32 != nil, shape)
		return make([]float32, prod(shape))
	}
	return t.f32
}

func (s *weightSet) scalarF(name string) float32 {
	v := s.floats(name)
	return v[0]
}

func (s *weightSet) scalarI(name string) int {
	t, ok := s.w[name]
	if !ok || t.i32 == nil || len(t.i32) != 1 {
		s.fail("weight %s: want an int32 scalar", name)
		return 0
	}
	return int(t.i32[0])
}

func prod(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
