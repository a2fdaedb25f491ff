package deal

// Exported for the external tests of this package.
var (
	CommissionEffect = commissionEffect
	CommissionSplits = commissionSplits
)

type (
	SplitInput      = splitInput
	CommissionSide  = commissionSide
	CommissionAgent = commissionAgent
)
