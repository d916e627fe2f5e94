package bert

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// appendBytes and appendVarint append one protobuf field to b.
func appendBytes(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

func appendVarint(b []byte, num protowire.Number, x uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), x)
}

// onnxTensorProto encodes a TensorProto: a float tensor in raw_data, or in
// float_data when raw is false, with more fields appended by extra.
func onnxTensorProto(name string, dims []int, values []float32, raw bool, extra func([]byte) []byte) []byte {
	var packedDims []byte
	for _, d := range dims {
		packedDims = protowire.AppendVarint(packedDims, uint64(d))
	}
	b := appendBytes(nil, tensorDims, packedDims)
	b = appendVarint(b, tensorDataType, onnxFloat)
	b = appendBytes(b, tensorName, []byte(name))
	data := make([]byte, 4*len(values))
	for i, v := range values {
		binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
	}
	field := protowire.Number(tensorRawData)
	if !raw {
		field = tensorFloatData
	}
	b = appendBytes(b, field, data)
	if extra != nil {
		b = extra(b)
	}
	return b
}

func onnxNodeProto(op string, inputs []string, output string) []byte {
	var b []byte
	for _, in := range inputs {
		b = appendBytes(b, nodeInput, []byte(in))
	}
	b = appendBytes(b, nodeOutput, []byte(output))
	return appendBytes(b, nodeOpType, []byte(op))
}

func onnxModelProto(nodes, inits [][]byte) []byte {
	var g []byte
	for _, n := range nodes {
		g = appendBytes(g, graphNode, n)
	}
	for _, t := range inits {
		g = appendBytes(g, graphInit, t)
	}
	m := appendVarint(nil, 1, 8) // ir_version, skipped
	return appendBytes(m, modelGraph, g)
}

// TestParseONNX: a linear layer as the export writes it (x·W + b, W
// [in][out] under a generated name) reads back as PyTorch's weight
// [out][in] under the bias's name; other tensors keep their names.
func TestParseONNX(t *testing.T) {
	w := []float32{1, 2, 3, 4, 5, 6} // [in 2][out 3]
	model := onnxModelProto(
		[][]byte{
			onnxNodeProto("MatMul", []string{"x", "onnx::MatMul_7"}, "xw"),
			onnxNodeProto("Add", []string{"layer.dense.bias", "xw"}, "y"),
			onnxNodeProto("MatMul", []string{"y", "onnx::MatMul_8"}, "unbiased"), // no Add: left unnamed
		},
		[][]byte{
			onnxTensorProto("onnx::MatMul_7", []int{2, 3}, w, true, nil),
			onnxTensorProto("layer.dense.bias", []int{3}, []float32{0.5, 0, -0.5}, false, nil),
			onnxTensorProto("onnx::MatMul_8", []int{3, 3}, make([]float32, 9), true, nil),
			onnxTensorProto("norm.weight", []int{2}, []float32{1, 1}, true, nil),
		},
	)
	ws, err := parseONNX(model)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		shape []int
		want  string // values, or the error's text
	}{
		{"layer.dense.weight", []int{3, 2}, "[1 4 2 5 3 6]"}, // [out][in]
		{"layer.dense.bias", []int{3}, "[0.5 0 -0.5]"},       // from float_data
		{"norm.weight", []int{2}, "[1 1]"},
		{"layer.dense.weight", []int{2, 3}, "has shape [2 3], want [3 2]"}, // read as [out][in] = [2][3]: wrong
		{"norm.weight", []int{3}, "has shape [2], want [3]"},
		{"other.weight", []int{3, 3}, "no tensor other.weight"},
	} {
		got, err := ws.float32s(c.name, c.shape...)
		text := fmt.Sprint(got)
		if err != nil {
			text = err.Error()
		}
		if !strings.Contains(text, c.want) {
			t.Errorf("float32s(%s, %v) = %s, want %s", c.name, c.shape, text, c.want)
		}
	}
}

func TestParseONNXRefuses(t *testing.T) {
	external := func(b []byte) []byte { return appendVarint(b, tensorLocation, 1) }
	whole := onnxModelProto(nil, [][]byte{onnxTensorProto("w", []int{1}, []float32{1}, true, nil)})
	truncated := whole[:len(whole)-2]
	for _, c := range []struct {
		name  string
		model []byte
		want  string
	}{
		{"not protobuf", []byte{0xff, 0xff, 0xff}, "onnx"},
		{"no graph", appendVarint(nil, 1, 8), "no graph"},
		{"external data", onnxModelProto(nil, [][]byte{onnxTensorProto("w", []int{1}, []float32{1}, true, external)}), "external data"},
		{"truncated", truncated, "onnx"},
	} {
		if _, err := parseONNX(c.model); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
}
