#include "collector/send_queue.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "common/wire.h"

namespace fructosa {

SendQueue::SendQueue(std::size_t max_points, const std::string& spool_dir, std::uint64_t spool_max_bytes,
                     std::uint64_t spool_segment_bytes)
    : max_points_(max_points) {
    if (spool_dir.empty()) return;
    try {
        spool_ = std::make_unique<DiskSpool>(spool_dir, spool_max_bytes, spool_segment_bytes);
    } catch (const SpoolError& e) {
        log_warning("{}: unacknowledged data is kept in memory only", e.what());
    }
}

void SendQueue::push(std::uint64_t seq, bool is_event, std::size_t points, std::vector<std::uint8_t> frame) {
    Outgoing out;
    out.seq = seq;
    out.is_event = is_event;
    out.points = points;
    out.frame = std::move(frame);
    if (spool_) {
        try {
            out.pos = spool_->append(std::string_view(reinterpret_cast<const char*>(out.frame.data()), out.frame.size()),
                                     static_cast<std::uint32_t>(out.points));
            out.next = spool_->end();
            spool_complaint_.release(fmt::format("spool {}: written again", spool_->dir()));
        } catch (const SpoolError& e) {
            spool_complaint_.complain(fmt::format("{}: batches are kept in memory, at most {} points (max queued points)",
                                                  e.what(), max_points_));
        }
    }
    queued_points_ += out.points;
    memory_points_ += out.points;
    queue_.push_back(std::move(out));
    if (spool_) {
        drop_spooled_away();
        evict_from_memory();
    }
    // What could not be spooled stays in memory: there the memory bound applies.
    drop_oldest_in_memory();
}

void SendQueue::count_dropped(const Outgoing& out) {
    if (out.is_event)
        ++events_dropped_;
    else
        points_dropped_ += out.points;
}

void SendQueue::complain_dropped(const std::string& why) {
    drop_complaint_.complain(fmt::format("{}: dropped the oldest; {} points and {} job events dropped so far", why,
                                         points_dropped_, events_dropped_));
}

void SendQueue::drop_oldest_in_memory() {
    // The oldest metric batches held only in memory (no spool, or the spool could not
    // take them), never one on the wire right now, never the newest, never a job event.
    bool dropped = false;
    for (std::size_t i = sent_ + (writing_ ? 1 : 0); memory_points_ > max_points_ && i < queue_.size();) {
        const Outgoing& out = queue_[i];
        if (out.is_event || out.next.segment != 0 || i + 1 == queue_.size()) {
            ++i;
            continue;
        }
        count_dropped(out);
        queued_points_ -= out.points;
        memory_points_ -= out.points;
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
        dropped = true;
    }
    if (dropped) complain_dropped(fmt::format("queue for lmaster full ({} points in memory)", max_points_));
}

void SendQueue::load_spool() {
    if (!spool_ || !queue_.empty()) return;
    std::size_t batches = 0;
    for (auto rec = spool_->read(spool_->committed()); rec; rec = spool_->read(rec->next)) {
        auto head = wire::peek_sequence(std::span<const std::uint8_t>(
            reinterpret_cast<const std::uint8_t*>(rec->data.data()), rec->data.size()));
        if (!head) continue;
        Outgoing out;
        out.is_event = head->type == wire::FrameType::JobEvent;
        out.seq = head->seq;
        out.points = rec->points;
        out.pos = rec->pos;
        out.next = rec->next;
        next_seq_ = std::max(next_seq_, out.seq + 1);
        queued_points_ += out.points;
        queue_.push_back(std::move(out));  // frame read back when its turn comes
        ++batches;
    }
    if (batches) log_info("spool {}: {} unacknowledged batches from before the restart are sent first", spool_->dir(), batches);
}

void SendQueue::drop_spooled_away() {
    // The spool dropped its oldest segment(s): those frames are gone unless on the wire.
    bool dropped = false;
    SpoolPos start = spool_->start();
    for (std::size_t i = sent_ + (writing_ ? 1 : 0); i < queue_.size() && queue_[i].next <= start && queue_[i].next.segment != 0;) {
        count_dropped(queue_[i]);
        queued_points_ -= queue_[i].points;
        if (!queue_[i].frame.empty()) memory_points_ -= queue_[i].points;
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
        dropped = true;
    }
    if (dropped) complain_dropped(fmt::format("spool {} full", spool_->dir()));
}

void SendQueue::evict_from_memory() {
    // Keep the frames nearest their turn in memory; the newest wait on disk.
    for (std::size_t i = queue_.size(); memory_points_ > max_points_ && i-- > sent_ + 1;) {
        if (queue_[i].frame.empty() || queue_[i].next.segment == 0) continue;
        memory_points_ -= queue_[i].points;
        queue_[i].frame.clear();
        queue_[i].frame.shrink_to_fit();
    }
}

std::span<const std::uint8_t> SendQueue::next_frame() {
    while (sent_ < queue_.size()) {
        Outgoing& next = queue_[sent_];
        if (!next.frame.empty() || !spool_) return next.frame;
        try {
            if (auto rec = spool_->read(next.pos); rec && rec->pos == next.pos) {
                next.frame.assign(rec->data.begin(), rec->data.end());
                memory_points_ += next.points;
            }
        } catch (const SpoolError& e) {
            // Not readable now (out of descriptors): it is still there; tried again at
            // the next write (the next batch), never counted as lost.
            spool_complaint_.complain(e.what());
            return {};
        }
        if (!next.frame.empty()) return next.frame;
        // Gone from the spool: count it, go on with the rest.
        count_dropped(next);
        queued_points_ -= next.points;
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(sent_));
        complain_dropped(fmt::format("spool {} lost a frame", spool_->dir()));
    }
    return {};
}

void SendQueue::acknowledge(std::uint64_t seq) {
    std::optional<SpoolPos> done;
    while (!queue_.empty() && queue_.front().seq <= seq && sent_ > 0) {
        if (queue_.front().next.segment != 0) done = queue_.front().next;
        if (!queue_.front().frame.empty()) memory_points_ -= queue_.front().points;
        if (queue_.front().is_event)
            ++events_sent_;
        else
            points_sent_ += queue_.front().points;
        queued_points_ -= queue_.front().points;
        queue_.pop_front();
        --sent_;
    }
    if (done && spool_) {
        try {
            spool_->commit(*done);
        } catch (const SpoolError& e) {
            spool_complaint_.complain(e.what());
        }
    }
    // lmaster takes data again: the last word on the drops says how many in all.
    if (memory_points_ <= max_points_)
        drop_complaint_.release(fmt::format("queue for lmaster draining; {} points and {} job events dropped so far",
                                            points_dropped_, events_dropped_));
}

void SendQueue::rewind() {
    sent_ = 0;
    writing_ = false;
}

}  // namespace fructosa
