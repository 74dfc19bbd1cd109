package atlassiantest

import "testing"

func TestJiraSeedShape(t *testing.T) {
	srv := NewServer(WithProducts(Jira))
	defer srv.Close()
	j := srv.jira()
	counts := map[string]int{}
	for _, is := range j.issues {
		counts[is.Project.Key]++
	}
	t.Logf("issues %d per project %v", len(j.issues), counts)
	for _, k := range []string{"ENG-1", "ENG-2", "ENG-3", "ENG-4", "ENG-5", "ENG-6", "OPS-1", "OPS-2", "MKT-1", "MKT-2"} {
		is := j.issue(k)
		t.Logf("%s %s [%s] %s", k, is.Type.Name, is.Status.Name, is.Summary)
	}
}
