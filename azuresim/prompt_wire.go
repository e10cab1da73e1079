package azuresim

import "time"

// evaluationResultType is the OData type of an evaluation's result.
const evaluationResultType = "microsoft.graph.securityCopilot.evaluationResult"

// promptType: as for sessions, $filter on the two timestamps is what the
// exporter needs; the other properties are not filterable.
func promptType() *entityType {
	return &entityType{
		name: "microsoft.graph.securityCopilot.prompt",
		props: []propDef{
			{name: "id", kind: kindString},
			{name: "type", kind: kindString},
			{name: "content", kind: kindString},
			{name: "skillName", kind: kindString},
			{name: "createdDateTime", kind: kindDateTime, filterable: true},
			{name: "lastModifiedDateTime", kind: kindDateTime, filterable: true},
		},
	}
}

func evaluationType() *entityType {
	return &entityType{
		name: "microsoft.graph.securityCopilot.evaluation",
		props: []propDef{
			{name: "id", kind: kindString},
			{name: "createdDateTime", kind: kindDateTime, filterable: true, unsetZero: true},
			{name: "runStartDateTime", kind: kindDateTime, unsetZero: true},
			{name: "completedDateTime", kind: kindDateTime, unsetZero: true},
			{name: "lastModifiedDateTime", kind: kindDateTime, filterable: true, unsetZero: true},
			{name: "executionCount", kind: kindInt64},
			{name: "isCancelled", kind: kindBool},
			{name: "state", kind: kindString},
			{name: "result", kind: kindComplex, complexType: evaluationResultType, subProps: []string{"type", "content", "previewState"}},
		},
	}
}

func (p *Prompt) key() pageKey { return pageKey{t: p.Created, id: p.ID} }

func (p *Prompt) timeValue(prop string) time.Time {
	switch prop {
	case "createdDateTime":
		return p.Created
	case "lastModifiedDateTime":
		return p.LastModified
	}
	return time.Time{}
}

func (p *Prompt) stringValue(prop string) (string, bool) {
	switch prop {
	case "id":
		return p.ID, true
	case "type":
		return p.Type, true
	case "content":
		return p.Content, true
	case "skillName":
		return p.SkillName, p.SkillName != ""
	}
	return "", false
}

func (e *Evaluation) key() pageKey { return pageKey{t: e.Created, id: e.ID} }

func (e *Evaluation) timeValue(prop string) time.Time {
	switch prop {
	case "createdDateTime":
		return e.Created
	case "runStartDateTime":
		return e.RunStart
	case "completedDateTime":
		return e.Completed
	case "lastModifiedDateTime":
		return e.LastModified
	}
	return time.Time{}
}

func (e *Evaluation) stringValue(prop string) (string, bool) {
	switch prop {
	case "id":
		return e.ID, true
	case "state":
		return e.State, true
	}
	return "", false
}

func (e *Evaluation) value(p propDef) any {
	switch p.name {
	case "executionCount":
		return e.ExecutionCount
	case "isCancelled":
		return e.IsCancelled
	case "result":
		return e.result(p.picked)
	}
	return nil
}

// result is the complex result property, or nil (null) without a result.
// A path $select such as result/type picks its properties, and then the
// type annotation is left out, as only what was selected is served. An
// empty content is null, as in the docs' running evaluation:
// {"content": null, "type": "unknown", "previewState": "ga"}.
func (e *Evaluation) result(picked []string) any {
	if e.ResultType == "" {
		return nil
	}
	var content any
	if e.ResultContent != "" {
		content = e.ResultContent
	}
	preview := e.PreviewState
	if preview == "" {
		preview = "ga"
	}
	values := map[string]any{"type": e.ResultType, "content": content, "previewState": preview}
	obj := make(jsonObject, 0, 4)
	if picked == nil {
		obj = append(obj, jsonField{"@odata.type", "#" + evaluationResultType})
		picked = []string{"type", "content", "previewState"}
	}
	for _, sub := range picked {
		obj = append(obj, jsonField{sub, values[sub]})
	}
	return obj
}
