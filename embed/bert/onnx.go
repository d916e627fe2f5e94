package bert

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
)

// The ONNX export of a BERT model keeps its weights as the graph's
// initializers (ModelProto.graph.initializer, TensorProto). Embeddings,
// biases and layer norms keep their PyTorch names; the weights of the
// linear layers are the second input of MatMul nodes under generated names
// ("onnx::MatMul_1525") and transposed ([in][out]). Each such MatMul feeds
// an Add whose other input is the layer's named bias, which gives the
// weight its PyTorch name (query.bias → query.weight). Only the weights
// are read: the forward pass is model.go's.

// onnxTensor is one float32 initializer.
type onnxTensor struct {
	dims       []int
	data       []byte // little-endian float32s
	transposed bool   // a MatMul weight: dims are [in, out]
}

type onnxWeights map[string]*onnxTensor

// Protobuf field numbers used (onnx.proto3).
const (
	modelGraph      = 7
	graphNode       = 1
	graphInit       = 5
	nodeInput       = 1
	nodeOutput      = 2
	nodeOpType      = 4
	tensorDims      = 1
	tensorDataType  = 2
	tensorFloatData = 4
	tensorName      = 8
	tensorRawData   = 9
	tensorLocation  = 14
	onnxFloat       = 1 // TensorProto.FLOAT
)

type onnxNode struct {
	op             string
	inputs, output []string
}

func parseONNX(b []byte) (onnxWeights, error) {
	var graph []byte
	if err := eachField(b, func(num protowire.Number, v []byte, _ uint64) error {
		if num == modelGraph {
			graph = v
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("onnx: model: %w", err)
	}
	if graph == nil {
		return nil, fmt.Errorf("onnx: no graph")
	}
	w := onnxWeights{}
	var nodes []onnxNode
	err := eachField(graph, func(num protowire.Number, v []byte, _ uint64) error {
		switch num {
		case graphNode:
			n, err := parseNode(v)
			nodes = append(nodes, n)
			return err
		case graphInit:
			name, t, err := parseTensor(v)
			if t != nil {
				w[name] = t
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("onnx: graph: %w", err)
	}
	// Name the MatMul weights after the bias added to their product.
	weightOf := map[string]*onnxTensor{} // a MatMul's output → its weight
	for _, n := range nodes {
		if n.op == "MatMul" && len(n.inputs) == 2 && len(n.output) == 1 && w[n.inputs[1]] != nil {
			weightOf[n.output[0]] = w[n.inputs[1]]
		}
	}
	for _, n := range nodes {
		if n.op != "Add" || len(n.inputs) != 2 {
			continue
		}
		bias, product := n.inputs[0], n.inputs[1]
		if weightOf[bias] != nil {
			bias, product = product, bias
		}
		layer, isBias := strings.CutSuffix(bias, ".bias")
		if t := weightOf[product]; t != nil && isBias && w[bias] != nil {
			t.transposed = true
			w[layer+".weight"] = t
		}
	}
	return w, nil
}

func parseNode(b []byte) (onnxNode, error) {
	var n onnxNode
	err := eachField(b, func(num protowire.Number, v []byte, _ uint64) error {
		switch num {
		case nodeInput:
			n.inputs = append(n.inputs, string(v))
		case nodeOutput:
			n.output = append(n.output, string(v))
		case nodeOpType:
			n.op = string(v)
		}
		return nil
	})
	return n, err
}

// parseTensor returns a float32 initializer; other types are skipped (nil).
func parseTensor(b []byte) (string, *onnxTensor, error) {
	var (
		name     string
		t        onnxTensor
		dataType uint64
		floats   []byte
		external bool
	)
	err := eachField(b, func(num protowire.Number, v []byte, x uint64) error {
		switch num {
		case tensorDims:
			if v == nil { // one unpacked value
				t.dims = append(t.dims, int(x))
				return nil
			}
			for len(v) > 0 { // packed
				d, n := protowire.ConsumeVarint(v)
				if n < 0 {
					return protowire.ParseError(n)
				}
				t.dims = append(t.dims, int(d))
				v = v[n:]
			}
		case tensorDataType:
			dataType = x
		case tensorName:
			name = string(v)
		case tensorRawData:
			t.data = v
		case tensorFloatData:
			floats = v
		case tensorLocation:
			external = x == 1
		}
		return nil
	})
	if err != nil {
		return "", nil, fmt.Errorf("initializer %s: %w", name, err)
	}
	if dataType != onnxFloat {
		return name, nil, nil
	}
	if external {
		return "", nil, fmt.Errorf("initializer %s: external data is not supported", name)
	}
	if t.data == nil {
		t.data = floats // packed fixed32: the same little-endian bytes
	}
	return name, &t, nil
}

// eachField calls fn for each field of a protobuf message: v is the value
// of a length-delimited field, x that of a varint (or fixed) one.
func eachField(b []byte, fn func(num protowire.Number, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var (
			v []byte
			x uint64
		)
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
			if v == nil && n >= 0 {
				v = []byte{}
			}
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var f uint32
			f, n = protowire.ConsumeFixed32(b)
			x = uint64(f)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n >= 0 {
				b = b[n:]
				continue
			}
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if err := fn(num, v, x); err != nil {
			return err
		}
	}
	return nil
}

// float32s returns the tensor name in PyTorch's layout ([out][in] for a
// linear layer's weight), checking its shape.
func (w onnxWeights) float32s(name string, shape ...int) ([]float32, error) {
	t := w[name]
	if t == nil {
		return nil, fmt.Errorf("onnx: no tensor %s", name)
	}
	want := shape
	if t.transposed {
		if len(shape) != 2 {
			return nil, fmt.Errorf("onnx: %s is a matrix, read with shape %v", name, shape)
		}
		want = []int{shape[1], shape[0]}
	}
	if fmt.Sprint(t.dims) != fmt.Sprint(want) {
		return nil, fmt.Errorf("onnx: %s has shape %v, want %v", name, t.dims, want)
	}
	stored, err := littleEndianFloats(t.data, t.dims)
	if err != nil {
		return nil, fmt.Errorf("onnx: %s %w", name, err)
	}
	if !t.transposed {
		return stored, nil
	}
	in, out := t.dims[0], t.dims[1]
	v := make([]float32, len(stored))
	for i := 0; i < in; i++ {
		for o := 0; o < out; o++ {
			v[o*in+i] = stored[i*out+o]
		}
	}
	return v, nil
}
