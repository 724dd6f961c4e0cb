// The cost chart as SVG, written by hand: every number is printed with a fixed format so the
// same inputs always give the same bytes.
#include "app/cost_svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace app {

namespace {

// Canvas and plot area, in SVG user units.
constexpr double kWidth = 820;
constexpr double kHeight = 520;
constexpr double kLeft = 90;
constexpr double kRight = 30;
constexpr double kTop = 60;
constexpr double kBottom = 70;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;

struct Series {
    std::string label;
    std::string color;
    std::vector<std::pair<double, double>> points;  // (messages, USD)
};

// Monthly cost of each option at `messages`, the rest of the inputs unchanged.
std::pair<double, double> costs_at(const CostReport& r, double messages) {
    CostInputs in = r.inputs;
    in.messages = messages;
    auto at = compute_cost(in);
    LG_CHECK(at.has_value(), "render_cost_svg: the report's inputs were validated");
    return {at->self_contained.monthly_cost_usd, at->api.monthly_cost_usd};
}

// Both costs are piecewise linear in messages: exact lines need only the ends and the kinks
// (where a free tier runs out).
std::vector<double> sample_messages(const CostReport& r, double x_max) {
    std::vector<double> xs = {0, x_max, kFreeRequests};
    for (const LambdaCost* c : {&r.self_contained, &r.api.lambda}) {
        xs.push_back(kFreeGbSeconds / c->gb_seconds_per_message);
    }
    if (r.inputs.messages > 0) xs.push_back(r.inputs.messages);
    std::erase_if(xs, [x_max](double x) { return x < 0 || x > x_max; });
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    return xs;
}

std::string tick_label_usd(double v) {
    if (v == 0) return "$0";
    if (v >= 1 && std::fabs(v - std::round(v)) < 1e-9) return "$" + group_thousands(v);
    return fmt::format("${:g}", v);
}

// One unit for the whole axis, chosen by the tick step: 2k 4k ... or 0.5M 1M ...
std::string tick_label_messages(double v, double step) {
    if (v == 0) return "0";
    if (step >= 1e5) return fmt::format("{:g}M", v / 1e6);
    if (step >= 1e3) return fmt::format("{:g}k", v / 1e3);
    return group_thousands(v);
}

void draw_axes(std::string& out, const std::vector<double>& xt, const std::vector<double>& yt) {
    const double x_max = xt.back();
    const double y_max = yt.back();
    out += "<g class=\"grid\" stroke=\"#dddddd\" stroke-width=\"1\">\n";
    for (double y : yt) {
        const double py = kTop + kPlotHeight - y / y_max * kPlotHeight;
        out += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\"/>\n",
                           kLeft, py, kLeft + kPlotWidth, py);
    }
    out += "</g>\n<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1.5\">\n";
    out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\"/>\n",
                       kLeft, kTop + kPlotHeight, kLeft + kPlotWidth);
    out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>\n",
                       kLeft, kTop, kTop + kPlotHeight);
    out += "</g>\n<g class=\"ticks\" font-family=\"sans-serif\" font-size=\"12\" fill=\"#333333\">\n";
    for (double x : xt) {
        const double px = kLeft + x / x_max * kPlotWidth;
        out += fmt::format(
            "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#333333\"/>"
            "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
            px, kTop + kPlotHeight, kTop + kPlotHeight + 5, kTop + kPlotHeight + 20,
            xml_escape(tick_label_messages(x, xt.size() > 1 ? xt[1] : x_max)));
    }
    for (double y : yt) {
        const double py = kTop + kPlotHeight - y / y_max * kPlotHeight;
        out += fmt::format(
            "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#333333\"/>"
            "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
            kLeft - 5, py, kLeft, kLeft - 8, py + 4, xml_escape(tick_label_usd(y)));
    }
    out += "</g>\n";
    out += fmt::format(
        "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-family=\"sans-serif\" "
        "font-size=\"14\">messages per month</text>\n",
        kLeft + kPlotWidth / 2, kHeight - 25);
    out += fmt::format(
        "<text transform=\"translate({:.1f},{:.1f}) rotate(-90)\" text-anchor=\"middle\" "
        "font-family=\"sans-serif\" font-size=\"14\">monthly cost (USD, after the free tier)"
        "</text>\n",
        22.0, kTop + kPlotHeight / 2);
}

// A dashed vertical line at the messages the user asked about.
void draw_marker(std::string& out, double messages, double x_max) {
    const double px = kLeft + messages / x_max * kPlotWidth;
    out += fmt::format(
        "<g class=\"marker\"><line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
        "stroke=\"#777777\" stroke-dasharray=\"5,4\"/><text x=\"{3:.1f}\" y=\"{4:.1f}\" "
        "font-family=\"sans-serif\" font-size=\"12\" fill=\"#555555\">{5}</text></g>\n",
        px, kTop, kTop + kPlotHeight, px + 4, kTop + 14,
        xml_escape(group_thousands(messages) + " messages"));
}

void draw_series(std::string& out, const std::vector<Series>& series, double x_max, double y_max) {
    for (const auto& s : series) {
        std::string pts;
        for (const auto& [x, y] : s.points) {
            if (!pts.empty()) pts += ' ';
            pts += fmt::format("{:.1f},{:.1f}", kLeft + x / x_max * kPlotWidth,
                               kTop + kPlotHeight - y / y_max * kPlotHeight);
        }
        out += fmt::format(
            "<polyline class=\"series\" data-label=\"{}\" fill=\"none\" stroke=\"{}\" "
            "stroke-width=\"2.5\" points=\"{}\"/>\n",
            xml_escape(s.label), s.color, pts);
    }
    // Legend, top left inside the plot.
    out += "<g class=\"legend\" font-family=\"sans-serif\" font-size=\"13\">\n";
    out += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"330\" height=\"{:.1f}\" fill=\"#ffffff\" "
        "fill-opacity=\"0.85\" stroke=\"#999999\"/>\n",
        kLeft + 10, kTop + 10, 10.0 + 20.0 * static_cast<double>(series.size()));
    for (size_t i = 0; i < series.size(); ++i) {
        const double y = kTop + 25 + 20.0 * static_cast<double>(i);
        out += fmt::format(
            "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"{3}\" "
            "stroke-width=\"2.5\"/><text x=\"{4:.1f}\" y=\"{5:.1f}\">{6}</text>\n",
            kLeft + 18, y, kLeft + 43, series[i].color, kLeft + 50, y + 4,
            xml_escape(series[i].label));
    }
    out += "</g>\n";
}

}  // namespace

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out += c;
        }
    }
    return out;
}

std::vector<double> nice_ticks(double max_value, int target_count) {
    if (!(max_value > 0) || !std::isfinite(max_value)) max_value = 1;
    target_count = std::max(target_count, 1);
    const double raw = max_value / target_count;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude * 10;
    for (double m : {1.0, 2.0, 5.0}) {
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    }
    std::vector<double> ticks;
    // Multiply rather than accumulate so ticks stay exact multiples of the step.
    for (int i = 0;; ++i) {
        const double t = step * i;
        ticks.push_back(t);
        if (t >= max_value * (1 - 1e-12)) break;
    }
    return ticks;
}

std::string render_cost_svg(const CostReport& r) {
    const CostInputs& in = r.inputs;
    const std::vector<double> xt = nice_ticks(in.messages > 0 ? 2 * in.messages : 100000, 5);
    const double x_max = xt.back();

    std::vector<Series> series = {
        {fmt::format("self-contained: local model, {:g} MB x {:g} s", in.memory_mb, in.duration_s),
         "#d62728", {}},
        {fmt::format("API: thin client {:g} MB x {:g} s + tokens", in.api_memory_mb,
                     in.api_duration_s),
         "#1f77b4", {}},
    };
    double cost_max = 0;
    for (double x : sample_messages(r, x_max)) {
        const auto [self, api] = costs_at(r, x);
        series[0].points.emplace_back(x, self);
        series[1].points.emplace_back(x, api);
        cost_max = std::max({cost_max, self, api});
    }
    const std::vector<double> yt = nice_ticks(cost_max > 0 ? cost_max : 1, 5);

    std::string out;
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" ";
    out += fmt::format("width=\"{0:g}\" height=\"{1:g}\" viewBox=\"0 0 {0:g} {1:g}\">\n", kWidth,
                       kHeight);
    out += fmt::format("<rect width=\"{:g}\" height=\"{:g}\" fill=\"#ffffff\"/>\n", kWidth, kHeight);
    const std::string title = "Lambda monthly cost: self-contained model vs API";
    const std::string subtitle = fmt::format(
        "{} at ${} per GB-s, ${:.2f} per M requests; API {:g}+{:g} tokens a message at "
        "${:g}/${:g} per M in/out",
        in.arch, price_text(r.price_gb_s), in.price_requests, in.tokens_in, in.tokens_out,
        in.price_in, in.price_out);
    out += "<title>" + xml_escape(title) + "</title>\n";
    out += fmt::format(
        "<text x=\"{0:.1f}\" y=\"26\" text-anchor=\"middle\" font-family=\"sans-serif\" "
        "font-size=\"16\" font-weight=\"bold\">{1}</text>\n"
        "<text x=\"{0:.1f}\" y=\"46\" text-anchor=\"middle\" font-family=\"sans-serif\" "
        "font-size=\"12\">{2}</text>\n",
        kWidth / 2, xml_escape(title), xml_escape(subtitle));
    draw_axes(out, xt, yt);
    if (in.messages > 0) draw_marker(out, in.messages, x_max);
    draw_series(out, series, x_max, yt.back());
    out += "</svg>\n";
    return out;
}

}  // namespace app
