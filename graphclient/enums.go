package graphclient

// EvaluationState is an evaluation's state, one of the values the Graph
// reference documents. A value Graph adds later maps to
// StateUnknownFutureValue, so label values stay a fixed set.
type EvaluationState string

// The documented evaluation states.
const (
	StateCreated            EvaluationState = "created"
	StateRunning            EvaluationState = "running"
	StateCompleted          EvaluationState = "completed"
	StateCancelled          EvaluationState = "cancelled"
	StatePending            EvaluationState = "pending"
	StateDeferred           EvaluationState = "deferred"
	StateWaitingForInput    EvaluationState = "waitingForInput"
	StateUnknownFutureValue EvaluationState = "unknownFutureValue"
)

// EvaluationStates returns every documented state, in the reference's order.
func EvaluationStates() []EvaluationState {
	return []EvaluationState{StateCreated, StateRunning, StateCompleted, StateCancelled,
		StatePending, StateDeferred, StateWaitingForInput, StateUnknownFutureValue}
}

// ResultType is the type of an evaluation's result; unknown values map to
// ResultUnknownFutureValue.
type ResultType string

// The documented result types. ResultCapacityExceeded is the only
// per-prompt sign, in any API, that the tenant's Security Compute Units ran
// out.
const (
	ResultSuccess              ResultType = "success"
	ResultError                ResultType = "error"
	ResultNeedAdditionalClaims ResultType = "needAdditionalClaims"
	ResultRejected             ResultType = "rejected"
	ResultTimedOut             ResultType = "timedOut"
	ResultCapacityExceeded     ResultType = "capacityExceeded"
	ResultUnknownFutureValue   ResultType = "unknownFutureValue"
)

// ResultTypes returns every documented result type, in the reference's order.
func ResultTypes() []ResultType {
	return []ResultType{ResultSuccess, ResultError, ResultNeedAdditionalClaims, ResultRejected,
		ResultTimedOut, ResultCapacityExceeded, ResultUnknownFutureValue}
}

// ParseEvaluationState maps a wire value to a documented state. OData enum
// members are case-sensitive, so "Completed" is not "completed".
func ParseEvaluationState(s string) EvaluationState {
	return documented(s, EvaluationStates(), StateUnknownFutureValue)
}

// ParseResultType maps a wire value to a documented result type.
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
