package helpium

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// BenchmarkMessagePageJSON encodes a page of 50 messages as the Customer
// API's GET …/messages answers it (gin's JSON renderer uses encoding/json).
func BenchmarkMessagePageJSON(b *testing.B) {
	page := &MessagePage{HasMore: true}
	at := time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	for i := range 50 {
		cid := fmt.Sprintf("m-%d", i)
		author := AuthorCustomer
		if i%3 == 2 {
			author = AuthorAgent
		}
		page.Messages = append(page.Messages, &Message{
			ID: fmt.Sprintf("0196a0e4-7d3c-7c1e-9a51-%012d", i), ConversationID: "0196a0e4-7d3c-7c1e-9a51-3f2b1c0d4e5f",
			Author: author, Body: fmt.Sprintf("Message %d: my parcel was due yesterday and the tracking page still says \"in transit\". Can you check?", i),
			ClientMessageID: &cid, CreatedAt: at.Add(time.Duration(i) * time.Minute),
		})
	}
	next := "eyJhdCI6IjIwMjYtMTEtMjRUMTA6MTk6MDBaIiwiaWQiOiI0OSJ9"
	page.NextCursor = &next
	raw, err := json.Marshal(page)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(page); err != nil {
			b.Fatal(err)
		}
	}
}
