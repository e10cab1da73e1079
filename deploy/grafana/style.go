package grafana

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/statetimeline"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// The option blocks every panel of a kind shares. A panel starts from one
// of these and sets only what is its own: title, description, size,
// queries, and where it differs, unit, decimals or colours.

// datasource is the dashboard's datasource variable, which every panel and
// query uses.
var datasource = common.DataSourceRef{Type: ptr("prometheus"), Uid: ptr("${datasource}")}

// lastValue reduces a series to its latest value.
func lastValue() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Fields("").Values(false)
}

// green is a single threshold: no colour change at any value.
func green() *dashboard.ThresholdsConfigBuilder {
	return thresholds("green")
}

// thresholds colours values base, and from each further step on, in its
// colour: thresholds("green", from(1, "red")).
func thresholds(base string, steps ...dashboard.Threshold) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).
		Steps(append([]dashboard.Threshold{{Color: base}}, steps...))
}

// from is a threshold step: values from value on are coloured color.
func from(value float64, color string) dashboard.Threshold {
	return dashboard.Threshold{Value: &value, Color: color}
}

func colour(mode dashboard.FieldColorModeId) *dashboard.FieldColorBuilder {
	return dashboard.NewFieldColorBuilder().Mode(mode)
}

// okOrFailed shows a 1/0 success gauge as "ok" or "failed".
var okOrFailed = []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{
	Type: dashboard.MappingTypeValueToText,
	Options: map[string]dashboard.ValueMappingResult{
		"0": {Text: ptr("failed"), Color: ptr("red"), Index: ptr[int32](1)},
		"1": {Text: ptr("ok"), Color: ptr("green"), Index: ptr[int32](0)},
	},
}}}

// failedBelowOne colours a success gauge red below 1.
func failedBelowOne() *dashboard.ThresholdsConfigBuilder {
	return thresholds("red", from(1, "green"))
}

// statPanel shows the latest value of each series as a number.
func statPanel(title, description string) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Title(title).Description(description).Datasource(datasource).
		Unit("short").Mappings([]dashboard.ValueMapping{}).Thresholds(green()).ColorScheme(colour(dashboard.FieldColorModeIdThresholds)).
		ReduceOptions(lastValue()).
		ColorMode(common.BigValueColorModeValue).GraphMode(common.BigValueGraphModeNone).
		JustifyMode(common.BigValueJustifyModeAuto).Orientation(common.VizOrientationAuto).TextMode(common.BigValueTextModeAuto).
		WideLayout(true).ShowPercentChange(false).PercentChangeColorMode(common.PercentChangeColorModeStandard)
}

// timeseriesPanel is a line graph from zero with a table legend of each
// series' last and highest value.
func timeseriesPanel(title, description string) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Title(title).Description(description).Datasource(datasource).
		Height(8).Span(12).
		Unit("short").Min(0).Mappings([]dashboard.ValueMapping{}).Thresholds(green()).ColorScheme(colour(dashboard.FieldColorModeIdPaletteClassic)).
		Legend(legend(common.LegendDisplayModeTable, true, "lastNotNull", "max")).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending)).
		DrawStyle(common.GraphDrawStyleLine).LineInterpolation(common.LineInterpolationLinear).LineWidth(1).
		LineStyle(common.NewLineStyleBuilder().Fill(common.LineStyleFillSolid)).
		FillOpacity(10).GradientMode(common.GraphGradientModeNone).
		ShowPoints(common.VisibilityModeNever).PointSize(4).
		SpanNulls(common.BoolOrFloat64{Bool: ptr(false)}).InsertNulls(common.BoolOrFloat64{Bool: ptr(false)}).
		AxisPlacement(common.AxisPlacementAuto).AxisLabel("").AxisSoftMin(0).AxisBorderShow(false).
		AxisCenteredZero(false).AxisColorMode(common.AxisColorModeText).BarAlignment(common.BarAlignmentCenter).
		ScaleDistribution(common.NewScaleDistributionConfigBuilder().Type(common.ScaleDistributionLinear)).
		Stacking(stacking(common.StackingModeNone)).
		ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeOff)).
		HideFrom(shownEverywhere())
}

func stacking(mode common.StackingMode) *common.StackingConfigBuilder {
	return common.NewStackingConfigBuilder().Group("A").Mode(mode)
}

func shownEverywhere() *common.HideSeriesConfigBuilder {
	return common.NewHideSeriesConfigBuilder().Legend(false).Tooltip(false).Viz(false)
}

func legend(mode common.LegendDisplayMode, show bool, calcs ...string) *common.VizLegendOptionsBuilder {
	if calcs == nil {
		calcs = []string{}
	}
	return common.NewVizLegendOptionsBuilder().DisplayMode(mode).Placement(common.LegendPlacementBottom).ShowLegend(show).Calcs(calcs)
}

// barGaugePanel shows one horizontal bar per window.
func barGaugePanel(title, description string) *bargauge.PanelBuilder {
	return bargauge.NewPanelBuilder().
		Title(title).Description(description).Datasource(datasource).
		Height(8).Span(6).
		Unit("short").Decimals(0).Mappings([]dashboard.ValueMapping{}).Thresholds(green()).
		ColorScheme(colour(dashboard.FieldColorModeIdContinuousBlPu)).
		ReduceOptions(lastValue()).Orientation(common.VizOrientationHorizontal).
		DisplayMode(common.BarGaugeDisplayModeGradient).ValueMode(common.BarGaugeValueModeColor).
		NamePlacement(common.BarGaugeNamePlacementAuto).ShowUnfilled(true).Sizing(common.BarGaugeSizingAuto).
		Legend(legend(common.LegendDisplayModeList, false))
}

// tablePanel shows the latest values of an instant query, one row per
// series.
func tablePanel(title, description string) *table.PanelBuilder {
	return table.NewPanelBuilder().
		Title(title).Description(description).Datasource(datasource).
		Unit("short").Mappings([]dashboard.ValueMapping{}).Thresholds(green()).ColorScheme(colour(dashboard.FieldColorModeIdThresholds)).
		Align(common.FieldTextAlignmentAuto).CellOptions(common.TableCellOptions{TableAutoCellOptions: &common.TableAutoCellOptions{Type: "auto"}}).Inspect(false).
		ShowHeader(true).CellHeight(common.TableCellHeightSm).FrameIndex(0).
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"}).CountRows(false))
}

// stateTimelinePanel shows a 1/0 success gauge as ok and failed stretches.
func stateTimelinePanel(title, description string) *statetimeline.PanelBuilder {
	return statetimeline.NewPanelBuilder().
		Title(title).Description(description).Datasource(datasource).
		Height(8).Span(12).
		Unit("short").Mappings(okOrFailed).Thresholds(failedBelowOne()).ColorScheme(colour(dashboard.FieldColorModeIdThresholds)).
		LineWidth(0).FillOpacity(80).HideFrom(shownEverywhere()).
		ShowValue(common.VisibilityModeNever).RowHeight(0.9).MergeValues(true).AlignValue(common.TimelineValueAlignmentLeft).
		Legend(legend(common.LegendDisplayModeList, true)).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeSingle).Sort(common.SortOrderNone))
}

func ptr[T any](v T) *T { return &v }

// dashedUnfilled draws the matching series dashed and unfilled, marking
// them as a comparison rather than the panel's subject.
func dashedUnfilled() []dashboard.DynamicConfigValue {
	return append(dashedLine(), dashboard.DynamicConfigValue{Id: "custom.fillOpacity", Value: 0})
}

// dashedLine draws the matching series dashed.
func dashedLine() []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{{Id: "custom.lineStyle", Value: map[string]any{"fill": "dash", "dash": []int{10, 10}}}}
}

// organize hides, orders and renames the columns of a table.
func organize(hidden map[string]bool, order []string, rename map[string]string) dashboard.DataTransformerConfig {
	index := map[string]int{}
	for i, name := range order {
		index[name] = i
	}
	return dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
		"excludeByName": hidden, "indexByName": index, "renameByName": rename,
	}}
}

// red colours the matching series red.
func red() []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": "red"}}}
}
