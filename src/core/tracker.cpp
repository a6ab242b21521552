#include "tracker.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>

namespace thermograph {
namespace {

double finite_or(double v, double fallback) {
  return std::isfinite(v) ? v : fallback;
}

// An event field as an integer: 0 when it is not in [0, 2^32) (NaN, infinities, negative or
// forged values). A plain cast of those is undefined and differs between targets.
uint32_t to_u32(double v) {
#if defined(__wasm__) && defined(__wasm_nontrapping_fptoint__)
  // The visitor's wasm converts with saturation (-mnontrapping-fptoint): NaN and negative values
  // already give 0, so one comparison is left (-6 B gzip).
  return v < 4294967296.0 ? __builtin_wasm_trunc_saturate_u_i32_f64(v) : 0;
#else
  return v >= 0 && v < 4294967296.0 ? static_cast<uint32_t>(v) : 0;
#endif
}

// rel * kSubGrid clamped to the sub-grid, as cell_of computes it: rel * kSubGrid * kCellPx
// divided by kCellPx is rel * kSubGrid exactly (powers of two).
uint32_t sub_cell(double rel) {
  return cell_of(rel * (kSubGrid * kCellPx), kSubGrid);
}

uint8_t element_flags(uint32_t click_flags) {
  return ((click_flags & kClickFixed) ? kElFixed : 0) |
         ((click_flags & kClickInteractive) ? kElInteractive : 0);
}

}  // namespace

uint8_t width_class(double w) {
  // The breakpoints reached (ascending, so the class); NaN reaches none.
  static_assert(std::size(kWidthBreakpoints) == 4);
  return (w >= kWidthBreakpoints[0]) + (w >= kWidthBreakpoints[1]) + (w >= kWidthBreakpoints[2]) +
         (w >= kWidthBreakpoints[3]);
}

void Tracker::begin(double t, double viewport_w, double viewport_h, double document_h) {
  t = finite_or(t, 0);
  const double vh = max_of(0.0, finite_or(viewport_h, 0));
  pv_.begin(static_cast<uint32_t>(min_of(vh, 65535.0)));
  if (route_from_) pv_.add(kLayerRouteFrom, route_from_, 1);
  route_from_ = 0;
  segment_.width_class = width_class(finite_or(viewport_w, 0));
  // One memset, then the fields that do not start at zero (a PageState{} assignment would build
  // the temporary in a stack frame). PageState is trivially copyable.
  std::memset(static_cast<void*>(static_cast<detail::PageState*>(this)), 0,
              sizeof(detail::PageState));
  active_ = true;
  visible_ = true;
  burst_last_t_ = -1e18;
  now_ = last_input_ = begin_t_ = t;
  view_h_ = vh;
  doc_h_ = max_of(vh, finite_or(document_h, 0));
}

// Credits the time since the last event to the current viewport (attention), the resting
// pointer (dwell, hover) and engagement, as long as the page is visible and not idle.
void Tracker::accrue(double t) {
  if (!(t > now_)) return;
  const double from = now_;
  const double to = min_of(t, last_input_ + config_.idle_ms);
  now_ = t;
  if (!visible_ || !(to > from)) return;
  const double dt = to - from;
  engaged_ms_ += dt;

  view_carry_ms_ += dt;
  if (view_carry_ms_ >= kAttentionUnitMs && view_h_ > 0) {
    const auto units = static_cast<uint32_t>(view_carry_ms_ / kAttentionUnitMs);
    view_carry_ms_ -= units * double(kAttentionUnitMs);
    // A viewport beyond 2^32 bands (forged scroll values) earns nothing, as it always has.
    const uint32_t first = to_u32(view_top_ / kBandPx);
    const uint32_t last = to_u32(std::ceil((view_top_ + view_h_) / kBandPx));
    for (uint32_t b = first; b < last && b < kMaxBands; ++b) pv_.add(kLayerAttention, b, units);
  }

  if (!pointer_in_) return;
  const double rest_left = config_.max_rest_ms - (from - move_t_);
  // In [0, dt] as std::clamp(.., 0, dt) would put it (the min already caps it at dt), without
  // std::clamp's by-reference call.
  move_carry_ms_ += max_of(min_of(dt, rest_left), 0.0);
  // Whole steps of rest only: one report entry per cell crossed would double the move layer.
  if (move_carry_ms_ < kDwellStepMs) return;
  const auto units =
      static_cast<uint32_t>(move_carry_ms_ / kDwellStepMs) * (kDwellStepMs / kDwellUnitMs);
  move_carry_ms_ -= units * double(kDwellUnitMs);
  pv_.add(kLayerMove, move_cell_, units);
  // Element hover counts from a stay of hover_pv_ms on it: the stay that reaches it is credited
  // whole, shorter ones are the pointer passing through (the move layer keeps their dwell). Most
  // elements a pointer crosses are passed through, and each would cost a report ~12 bytes. (The
  // delta sends it only for interactive or clicked elements: PageView::encode_delta.)
  hover_units_ += units;
  if (move_key_ == 0 || hover_units_ * kDwellUnitMs < config_.hover_pv_ms) return;
  if (PageView::Element* el = pv_.element(move_key_, move_flags_)) {
    if (!el->total[kElHover]) el->entered = enter_t_;  // its first stay: hesitation starts here
    pv_.add_element(*el, kElHover, hover_units_ - hover_sent_);
    hover_sent_ = hover_units_;
    pv_.add_element(*el, kElPvHovered, 1);
    if (el->total[kElClicks]) pv_.add_element(*el, kElPvHoverClicked, 1);
  }
}

void Tracker::apply(const double* ev) {
  if (!active_) return;
  const double t = ev[1];
  if (!std::isfinite(t) || t < now_ - 1) return;  // clocks never run backwards
  const int type = static_cast<int>(ev[0]);
  if (type < kEvMove || type > kEvExposure) return settle(now_, false);
  accrue(t);  // every event first credits the time up to it
  switch (type) {
    case kEvMove:
      on_move(ev);
      break;
    case kEvPointerOut:
      pointer_in_ = false;
      break;
    case kEvClick:
      on_click(ev);
      break;
    case kEvScroll:
      on_scroll(ev);
      break;
    case kEvReaction:
      on_reaction(t, to_u32(ev[2]));
      break;
    case kEvError:
      on_error(t);
      break;
    case kEvVisibility:
      visible_ = ev[2] != 0;
      if (visible_) touch_input(t);
      on_reaction(t, kReactFocus);
      break;
    case kEvGoal:
      if (!goal_) {
        goal_ = true;
        signals_ |= kSignalGoal;
        pv_.set_counter(kConversions, 1);
        for (uint32_t i = 0; i < nclicked_; ++i)
          if (PageView::Element* el = pv_.find_element(clicked_keys_[i]))
            pv_.add_element(*el, kElPvConverted, 1);
      }
      break;
    case kEvInput:
      touch_input(t);
      break;
    case kEvSwipe:
      on_click(ev);
      break;
    case kEvField:
      touch_input(t);
      interacted_ = true;
      on_field(to_u32(ev[2]), ev);
      break;
    case kEvExposure:
      on_exposure(finite_or(ev[2], 0), ev);
      break;
    default:
      break;
  }
  settle(now_, false);
}

void Tracker::on_move(const double* ev) {
  const double t = ev[1];
  touch_input(t);
  const auto key = to_u32(ev[4]);
  if (key != move_key_) {
    hover_units_ = hover_sent_ = 0;
    enter_t_ = t;
  }
  pointer_in_ = true;
  move_t_ = t;
  // A hand is never quite still: moves inside one cell are resting there, and the dwell carried
  // so far stays with the cell. Only a move to another cell starts the carry over.
  const uint32_t cell = cell_index(ev[2], ev[3]);
  if (cell != move_cell_) move_carry_ms_ = 0;
  move_cell_ = cell;
  reversal(cursor_x_, ev[2], t, &config_.cursor_reversals, kPvCursorThrash);
  reversal(cursor_y_, ev[3], t, &config_.cursor_reversals, kPvCursorThrash);
  move_key_ = key;
  move_flags_ = element_flags(to_u32(ev[5]));
}

void Tracker::on_scroll(const double* ev) {
  const double t = ev[1];
  touch_input(t);
  view_carry_ms_ = 0;
  view_top_ = max_of(0.0, finite_or(ev[2], 0));
  view_h_ = max_of(0.0, finite_or(ev[3], 0));
  reversal(scroll_rev_, view_top_, t, &config_.scroll_reversals, kPvScrollThrash);
  doc_h_ = max_of(view_h_, finite_or(ev[4], 0));
  const double bottom = min_of(view_top_ + view_h_, doc_h_);
  if (bottom <= 0) return;
  // Band i covers [i*100, (i+1)*100) px; a viewport bottom at 800 px has seen bands 0..7.
  const auto band = static_cast<uint32_t>(min_of(std::ceil(bottom / kBandPx) - 1, kMaxBands - 1.0));
  const auto pct = static_cast<uint32_t>(min_of(100.0, std::floor(bottom * 100 / doc_h_)));
  pv_.reach(band, pct);
  pv_.raise_counter(kDocHeightSum, static_cast<uint32_t>(min_of(doc_h_, 1048576.0)));
}

// Clicks and swipes (kEvSwipe): a swipe only waits for its dead verdict, like a click.
void Tracker::on_click(const double* ev) {
  const double t = ev[1];
  touch_input(t);
  interacted_ = true;
  const bool swipe = ev[0] == double(kEvSwipe);
  const double x = finite_or(ev[2], 0), y = finite_or(ev[3], 0);
  const auto key = to_u32(ev[4]);
  const auto flags = to_u32(ev[5]);
  const bool fixed = flags & kClickFixed;
  // Built in its place among the pending clicks (the oldest is dropped when full), not as a local:
  // mark() takes it by reference, which would give this function a stack frame.
  if (nrecent_ >= detail::kMaxPendingClicks) {
    std::copy(recent_ + 1, recent_ + nrecent_, recent_);
    --nrecent_;
  }
  detail::PendingClick& click = recent_[nrecent_++];
  click = {t,
           cell_index(x, y),
           fixed ? kLayerFixedClicks : kLayerClicks,
           key,
           sub_cell(ev[7]) * kSubGrid + sub_cell(ev[6]),
           swipe,
           false,
           swipe};
  if (swipe) return;
  step_to(key, t);

  pv_.add(click.layer, click.cell, 1);
  if (!fixed) pv_.add(kLayerClickPv, click.cell, 1);
  pv_.set_counter(kPvClicked, 1);
  if (PageView::Element* el = element_of(ev)) {
    pv_.add_element(*el, kElClicks, 1);
    pv_.add_element_cell(*el, click.sub);
    if (el->total[kElPvHovered]) pv_.add_element(*el, kElPvHoverClicked, 1);
    // Hesitation, on the element's first click: from the pointer's first dwell on it, or from
    // its entry when it has not rested there a whole dwell unit yet (no hover: a finger, keys).
    const bool entered = el->total[kElHover] || (pointer_in_ && key == move_key_);
    if (el->total[kElClicks] == 1 && entered) {
      const double waited = t - (el->total[kElHover] ? el->entered : enter_t_);
      static_assert(std::size(kHesitationMs) == 3);
      const int b = (waited >= kHesitationMs[0]) + (waited >= kHesitationMs[1]) +
                    (waited >= kHesitationMs[2]);
      pv_.add_element(*el, static_cast<ElementCounter>(kElHesitation0 + b), 1);
    }
    // pv_clicked goes to the first clicked_elements distinct elements only (DP sensitivity).
    bool credited =
        std::find(clicked_keys_, clicked_keys_ + nclicked_, key) != clicked_keys_ + nclicked_;
    if (!credited && nclicked_ < min_of(pv_.bounds().clicked_elements, kMaxElements)) {
      clicked_keys_[nclicked_++] = key;
      credited = true;
    }
    if (credited) {
      pv_.add_element(*el, kElPvClicked, 1);
      if (goal_) pv_.add_element(*el, kElPvConverted, 1);
    }
  }

  const double dist = std::fabs(x - burst_x_) + std::fabs(y - burst_y_);
  if (t - burst_last_t_ <= config_.rage_gap_ms && dist <= config_.rage_radius_px &&
      fixed == burst_fixed_) {
    ++burst_count_;
  } else {
    burst_x_ = x;
    burst_y_ = y;
    burst_fixed_ = fixed;
    burst_count_ = 1;
  }
  burst_last_t_ = t;
  if (burst_count_ == config_.rage_clicks && !(flags & kClickNoRage)) mark(kElRage, click);

  // Only a burst's first click can be dead: a rage burst on a dead button is one dead click.
  click.dead_candidate = !(flags & kClickNoDead) && burst_count_ == 1;
}

// The element an event record names (key, flags in slots 4 and 5): nullptr for none (key 0) or
// at the element cap.
PageView::Element* Tracker::element_of(const double* ev) {
  const uint32_t key = to_u32(ev[4]);
  return key ? pv_.element(key, element_flags(to_u32(ev[5]))) : nullptr;
}

// Focus, change and submit credit pv_focused, pv_changed and pv_submitted, in that order; a
// submit only a changed field.
static_assert(kElPvChanged - kElPvFocused == kFieldChange - kFieldFocus &&
              kElPvSubmitted - kElPvFocused == kFieldSubmit - kFieldFocus);
void Tracker::on_field(uint32_t kind, const double* ev) {
  step_to(to_u32(ev[4]), ev[1]);
  PageView::Element* el = element_of(ev);
  if (el && kind - kFieldFocus <= kFieldSubmit - kFieldFocus &&
      (kind != kFieldSubmit || el->total[kElPvChanged]))
    pv_.add_element(*el, static_cast<ElementCounter>(kElPvFocused + kind - kFieldFocus), 1);
}

// An interaction (click, tap, field event) at time t with the element keyed `key` (0: none): a
// journey step from the element of the previous interaction when it is another one, then the last.
void Tracker::step_to(uint32_t key, double t) {
  if (key && last_key_ && key != last_key_) pv_.add_transition(last_key_, key);
  last_key_ = key;
  last_t_ = t;
}

// A Reversals of the three thresholds at `cfg` (count, leg, gap): raises `c` at the count.
void Tracker::reversal(detail::Reversals& r, double pos, double t, const uint32_t* cfg,
                       PageCounter c) {
  if (cfg[0] && r.add(finite_or(pos, 0), t, cfg[1], cfg[2]) >= cfg[0]) pv_.set_counter(c, 1);
}

void Tracker::on_exposure(double ms, const double* ev) {
  PageView::Element* el = ms > 0 ? element_of(ev) : nullptr;
  if (!el) return;
  pv_.add_element(*el, kElExposure, static_cast<uint32_t>(min_of(ms, 1e9) / kAttentionUnitMs));
  if (ms >= config_.exposure_ms) pv_.add_element(*el, kElPvExposed, 1);
}

void Tracker::on_reaction(double t, uint32_t kind) {
  double window = 0;
  switch (kind) {
    case kReactMutation:
      window = config_.dead_mutation_ms;
      break;
    case kReactScroll:
    case kReactSelection:
      window = config_.dead_scroll_ms;
      break;
    case kReactFocus:
      window = config_.dead_focus_ms;
      break;
    case kReactNavigation:
      window = 1e18;
      break;
    default:
      return;
  }
  for (uint32_t i = 0; i < nrecent_; ++i)
    if (t >= recent_[i].t - 1 && t - recent_[i].t <= window) recent_[i].dead_candidate = false;
}

void Tracker::on_error(double t) {
  for (uint32_t i = nrecent_; i-- > 0;) {
    detail::PendingClick& c = recent_[i];
    if (t - c.t > config_.error_window_ms) break;
    if (c.error_marked || c.swipe || t < c.t - 1) continue;
    c.error_marked = true;
    mark(kElError, c);
    break;  // one error blames the latest click only
  }
}

// Rage, dead and error stand in the same order in the layers, the element counters (and their
// pv_ flags) and the page counters, so the element counter names the rest.
static_assert(kLayerDead - kLayerRage == kElDead - kElRage &&
              kLayerError - kLayerRage == kElError - kElRage &&
              kElPvDead - kElPvRage == kElDead - kElRage &&
              kElPvError - kElPvRage == kElError - kElRage &&
              kPvDead - kPvRage == kElDead - kElRage && kPvError - kPvRage == kElError - kElRage);

void Tracker::mark(ElementCounter c, const detail::PendingClick& click) {
  const uint32_t k = c - kElRage;  // 0 rage, 1 dead, 2 error
  const auto layer = static_cast<Layer>(kLayerRage + k);
  const auto pv = static_cast<ElementCounter>(kElPvRage + k);
  const auto page_pv = static_cast<PageCounter>(kPvRage + k);

  // Frustration layers are page cells; fixed-element clicks only count on their element.
  if (click.layer == kLayerClicks) pv_.add(layer, click.cell, 1);
  pv_.set_counter(page_pv, 1);
  signals_ |= 1u << k;  // kSignalRage, kSignalDead, kSignalError
  signal_key_ = click.key;
  if (click.key == 0) return;
  if (PageView::Element* el = pv_.find_element(click.key)) {
    pv_.add_element(*el, c, 1);
    pv_.add_element(*el, pv, 1);
  }
}

// Dead verdicts: a candidate still unanswered after the longest reaction window is dead. On the
// final flush younger candidates count as alive: the page is leaving, which is a reaction.
void Tracker::settle(double now, bool final) {
  const double horizon = max_of(config_.dead_mutation_ms, config_.error_window_ms);
  uint32_t keep = 0;
  for (uint32_t i = 0; i < nrecent_; ++i) {
    const bool expired = now - recent_[i].t > horizon;
    if (expired && recent_[i].dead_candidate) {
      if (recent_[i].swipe)
        pv_.set_counter(kPvDeadSwipe, 1);
      else
        mark(kElDead, recent_[i]);
    }
    if (!expired && !final) recent_[keep++] = recent_[i];
  }
  nrecent_ = keep;
}

size_t Tracker::flush(double t, bool final, uint8_t* out) {
  if (!active_) return 0;
  if (std::isfinite(t)) accrue(t);
  settle(now_, final);
  if (final && !interacted_ && now_ - begin_t_ < config_.quick_exit_ms)
    pv_.set_counter(kPvQuickExit, 1);
  // The exit element: where the last interaction was, and how long before the end.
  if (PageView::Element* el = final ? pv_.find_element(last_key_) : nullptr) {
    pv_.add_element(*el, kElPvExit, 1);
    pv_.add_element(*el, kElExitSeconds, static_cast<uint32_t>((now_ - last_t_) / 1000));
  }
  pv_.set_counter(
      kEngagedSeconds,
      static_cast<uint32_t>(min_of(engaged_ms_ / 1000, double(pv_.bounds().engaged_seconds_max))));
  const size_t n = pv_.encode_delta(segment_, out);
  if (n && final) active_ = false;
  return n;
}

}  // namespace thermograph
