package bert

import "math"

// Float32 approximations of exp and erf for the forward pass, which calls
// them millions of times per text (softmax and GELU) and needs float32
// precision only; math.Exp and math.Erf work in float64 and cost several
// times more. Their errors (measured in mathf_test.go) are far below what
// changes a vector: the reference test compares whole vectors.

// expf returns e**x for x <= 0 (softmax subtracts the row's maximum first)
// with a relative error below 2e-7; it returns 0 below -87.
func expf(x float32) float32 {
	if x < -87 {
		return 0
	}
	// x = n ln2 + r with |r| <= ln2/2; e**r by its Taylor series to r**7/7!.
	n := float32(int32(x*log2e - 0.5)) // rounds, as x <= 0
	r := x - n*ln2Hi - n*ln2Lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	return p * math.Float32frombits(uint32(int32(n)+127)<<23)
}

const (
	log2e = 1.44269504088896340736
	ln2Hi = 0.693145751953125 // ln 2 split so that n*ln2Hi is exact
	ln2Lo = 1.42860682030941723212e-6
)

// gelu returns x·Φ(x) = x/2·(1 + erf(x/√2)), with erf from Abramowitz and
// Stegun 7.1.26 (absolute error below 1.5e-7).
func gelu(x float32) float32 {
	z := x * (1 / math.Sqrt2)
	a := z
	if a < 0 {
		a = -a
	}
	t := 1 / (1 + 0.3275911*a)
	poly := t * (0.254829592 + t*(-0.284496736+t*(1.421413741+t*(-1.453152027+t*1.061405429))))
	erf := 1 - poly*expf(-a*a)
	if z < 0 {
		erf = -erf
	}
	return 0.5 * x * (1 + erf)
}
