package bert

import (
	"context"
	"strings"
	"testing"
)

func BenchmarkEmbedQuery(b *testing.B) {
	q := []string{"hi, my parcel went into the locker yesterday but I'm stuck in hospital, can I get more time?"}
	for _, s := range specs {
		b.Run(s.spec.Dir, func(b *testing.B) {
			m := getModel(b, s.spec)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := m.Embed(context.Background(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEmbedPassage(b *testing.B) {
	m := getModel(b, MiniLM)
	p := []string{strings.Repeat("Open the parcel in My parcels, tap Change delivery and choose the new destination. ", 12)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Embed(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEmbedBatch32(b *testing.B) {
	m := getModel(b, MiniLM)
	texts := make([]string, 32)
	for i := range texts {
		texts[i] = strings.Repeat("Refunds go back to the original payment method within 5 to 10 working days. ", 1+i%6)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.Embed(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
	}
}
