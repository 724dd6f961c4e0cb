// The chart of `lambdagram cost --svg FILE`: monthly cost against messages per month for the
// self-contained and the API deployments, as a standalone SVG (axes, ticks, legend, title).
//   auto report = app::compute_cost(inputs);
//   std::string svg = app::render_cost_svg(*report);  // same input, same bytes
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app/cost.h"

namespace app {

// The chart for the report's inputs, x from 0 to about twice its messages (100,000 when 0).
std::string render_cost_svg(const CostReport& report);

// Text made safe for SVG/XML content and attribute values (& < > " ').
std::string xml_escape(std::string_view text);

// Ticks from 0 to at least `max_value` with a 1/2/5 x 10^k step, about `target_count` of them;
// the last tick is the axis end.
std::vector<double> nice_ticks(double max_value, int target_count);

}  // namespace app
