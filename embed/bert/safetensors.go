package bert

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
)

// tensors is a parsed safetensors file: a little-endian header length, a
// JSON header naming each tensor's dtype, shape and byte range, then the
// data.
type tensors struct {
	header map[string]tensorInfo
	data   []byte
}

type tensorInfo struct {
	DType   string   `json:"dtype"`
	Shape   []int    `json:"shape"`
	Offsets [2]int64 `json:"data_offsets"`
}

func parseSafetensors(b []byte) (*tensors, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("safetensors: file too short")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > uint64(len(b)-8) || n > 100<<20 {
		return nil, fmt.Errorf("safetensors: header length %d out of range", n)
	}
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal(b[8:8+n], &raw); err != nil {
		return nil, fmt.Errorf("safetensors: header: %w", err)
	}
	t := &tensors{header: map[string]tensorInfo{}, data: b[8+n:]}
	for name, r := range raw {
		if name == "__metadata__" {
			continue
		}
		var info tensorInfo
		if err := json.Unmarshal(r, &info); err != nil {
			return nil, fmt.Errorf("safetensors: %s: %w", name, err)
		}
		if info.Offsets[0] < 0 || info.Offsets[1] < info.Offsets[0] || info.Offsets[1] > int64(len(t.data)) {
			return nil, fmt.Errorf("safetensors: %s: data range %v outside the file", name, info.Offsets)
		}
		t.header[name] = info
	}
	return t, nil
}

// float32s returns the F32 tensor name, checking its shape.
func (t *tensors) float32s(name string, shape ...int) ([]float32, error) {
	info, ok := t.header[name]
	if !ok {
		return nil, fmt.Errorf("safetensors: no tensor %s", name)
	}
	if info.DType != "F32" {
		return nil, fmt.Errorf("safetensors: %s is %s, want F32", name, info.DType)
	}
	if fmt.Sprint(info.Shape) != fmt.Sprint(shape) {
		return nil, fmt.Errorf("safetensors: %s has shape %v, want %v", name, info.Shape, shape)
	}
	v, err := littleEndianFloats(t.data[info.Offsets[0]:info.Offsets[1]], shape)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %s %w", name, err)
	}
	return v, nil
}

// littleEndianFloats decodes b, a tensor of the given shape stored as
// little-endian float32s in row order.
func littleEndianFloats(b []byte, shape []int) ([]float32, error) {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if len(b) != 4*n {
		return nil, fmt.Errorf("holds %d bytes, want %d", len(b), 4*n)
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out, nil
}
