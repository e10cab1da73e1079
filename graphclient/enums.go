package graphclient

// EvaluationState is an evaluation's state, one of the members the Graph
// metadata lists. A value the metadata does not list (one Graph adds later)
// maps to StateUnknownFutureValue, so label values stay a fixed set.
type EvaluationState string

// The evaluation states, in the metadata's order. StateUnknown is member 0,
// an ordinary value, not a future one.
const (
	StateUnknown            EvaluationState = "unknown"
	StateCreated            EvaluationState = "created"
	StateRunning            EvaluationState = "running"
	StateCompleted          EvaluationState = "completed"
	StateCancelled          EvaluationState = "cancelled"
	StatePending            EvaluationState = "pending"
	StateDeferred           EvaluationState = "deferred"
	StateWaitingForInput    EvaluationState = "waitingForInput"
	StateUnknownFutureValue EvaluationState = "unknownFutureValue"
)

// EvaluationStates returns every state the metadata lists, in its order.
func EvaluationStates() []EvaluationState {
	return []EvaluationState{StateUnknown, StateCreated, StateRunning, StateCompleted, StateCancelled,
		StatePending, StateDeferred, StateWaitingForInput, StateUnknownFutureValue}
}

// ResultType is the type of an evaluation's result; values the metadata does
// not list map to ResultUnknownFutureValue.
type ResultType string

// The result types, in the metadata's order. ResultUnknown is member 0 and
// what a running evaluation's result says ("type": "unknown"), so it is the
// common value, not a future one. ResultCapacityExceeded is the only
// per-prompt sign, in any API, that the tenant's Security Compute Units ran
// out.
const (
	ResultUnknown              ResultType = "unknown"
	ResultSuccess              ResultType = "success"
	ResultError                ResultType = "error"
	ResultNeedAdditionalClaims ResultType = "needAdditionalClaims"
	ResultRejected             ResultType = "rejected"
	ResultTimedOut             ResultType = "timedOut"
	ResultCapacityExceeded     ResultType = "capacityExceeded"
	ResultUnknownFutureValue   ResultType = "unknownFutureValue"
)

// ResultTypes returns every result type the metadata lists, in its order.
func ResultTypes() []ResultType {
	return []ResultType{ResultUnknown, ResultSuccess, ResultError, ResultNeedAdditionalClaims, ResultRejected,
		ResultTimedOut, ResultCapacityExceeded, ResultUnknownFutureValue}
}

// ParseEvaluationState maps a wire value to a listed state. OData enum
// members are case-sensitive, so "Completed" is not "completed".
func ParseEvaluationState(s string) EvaluationState {
	return documented(s, EvaluationStates(), StateUnknownFutureValue)
}

// ParseResultType maps a wire value to a listed result type.
func ParseResultType(s string) ResultType {
	return documented(s, ResultTypes(), ResultUnknownFutureValue)
}

func documented[T ~string](s string, values []T, unknown T) T {
	for _, v := range values {
		if string(v) == s {
			return v
		}
	}
	return unknown
}
