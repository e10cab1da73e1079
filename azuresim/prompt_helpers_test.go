package azuresim

import (
	"fmt"
	"time"
)

// promptBase is when the prompts of promptFixture start.
func promptBase() time.Time { return time.Date(2025, 10, 15, 10, 0, 0, 0, time.UTC) }

const (
	secretPrompt = "PROMPT-SECRET-who-is-ceo"
	secretResult = "RESULT-SECRET-the-ceo-is"
	promptsPath  = sessionsPath + "/s1/prompts"
)

// promptFixture gives session s1 of filterFixture five prompts a minute
// apart, p0 … p4. p0 has a completed evaluation e-done and a running re-run
// e-run; p1 has one in states the API does not know; the others have
// one completed evaluation each.
func promptFixture() map[string][]Prompt {
	var ps []Prompt
	for i := range 5 {
		c := promptBase().Add(time.Duration(i) * time.Minute)
		ps = append(ps, Prompt{
			ID: fmt.Sprintf("p%d", i), Type: "prompt", Content: fmt.Sprintf("%s-%d", secretPrompt, i),
			Created: c, LastModified: c.Add(30 * time.Second),
			Evaluations: []Evaluation{{
				ID: fmt.Sprintf("e%d", i), Created: c, RunStart: c.Add(time.Second), Completed: c.Add(30 * time.Second),
				LastModified: c.Add(30 * time.Second), ExecutionCount: 1, State: "completed",
				ResultType: "success", ResultContent: fmt.Sprintf("%s-%d", secretResult, i),
			}},
		})
	}
	done := ps[0].Evaluations[0]
	done.ID = "e-done"
	run := Evaluation{ID: "e-run", Created: promptBase().Add(40 * time.Second), RunStart: promptBase().Add(41 * time.Second), ExecutionCount: 2, State: "running"}
	run.LastModified = run.RunStart
	ps[0].Evaluations = []Evaluation{run, done} // out of order on purpose
	ps[1].Evaluations[0].State, ps[1].Evaluations[0].ResultType = "brandNewState", "futureResult"
	ps[2].Type, ps[2].SkillName = "skill", "GetDefenderIncident"
	// Out of order on purpose too: the simulator sorts.
	ps[0], ps[4] = ps[4], ps[0]
	return map[string][]Prompt{"s1": ps}
}

// promptOptions is twoTenants with filterFixture sessions and
// promptFixture prompts in tenant A's default workspace.
func promptOptions() Options {
	opts := twoTenants(filterFixture())
	opts.Tenants[0].Workspaces[0].Prompts = promptFixture()
	return opts
}
