// IntrusiveList: the doubly linked list every waiter queue, awaiter list, registry and timer
// wheel slot in corio uses. Nodes embed a ListHook, so linking allocates nothing and unlinking is
// O(1) from the node alone. Standard library only.
#pragma once

#include <cstddef>
#include <type_traits>

namespace corio::detail {

template <class T>
struct ListHook {
    T* prev = nullptr;
    T* next = nullptr;
};

// Invariants: head_ and tail_ are both null (empty) or both set; following next from head_
// reaches tail_ through every node once, prev runs the other way, head_'s prev and tail_'s next
// are null. A node is in at most one list per hook; its links are null once it is removed
// (after take_all(), only once its new owner relinks it).
// The list does not own its nodes: whoever destroys a linked node removes it first.
// With kTail false the list keeps no tail (one pointer, for structures that count every byte,
// such as a task): push_back and back() are then unavailable.
template <class T, ListHook<T> T::*Hook, bool kTail = true>
class IntrusiveList {
    struct NoTail {};

public:
    IntrusiveList() = default;
    IntrusiveList(const IntrusiveList&) = delete;
    IntrusiveList& operator=(const IntrusiveList&) = delete;

    bool empty() const noexcept { return head_ == nullptr; }
    T* front() const noexcept { return head_; }
    T* back() const noexcept requires kTail { return tail_; }
    static T* next(const T* n) noexcept { return (n->*Hook).next; }
    static T* prev(const T* n) noexcept { return (n->*Hook).prev; }

    void push_back(T* n) noexcept requires kTail {
        (n->*Hook).prev = tail_;
        (n->*Hook).next = nullptr;
        if (tail_) {
            (tail_->*Hook).next = n;
        } else {
            head_ = n;
        }
        tail_ = n;
    }
    void push_front(T* n) noexcept {
        (n->*Hook).prev = nullptr;
        (n->*Hook).next = head_;
        if (head_) {
            (head_->*Hook).prev = n;
        } else if constexpr (kTail) {
            tail_ = n;
        }
        head_ = n;
    }
    // n must be in this list.
    void remove(T* n) noexcept {
        ListHook<T>& h = n->*Hook;
        if (h.prev) {
            (h.prev->*Hook).next = h.next;
        } else {
            head_ = h.next;
        }
        if (h.next) {
            (h.next->*Hook).prev = h.prev;
        } else if constexpr (kTail) {
            tail_ = h.prev;
        }
        h.prev = h.next = nullptr;
    }
    T* pop_front() noexcept {
        T* n = head_;
        if (n) remove(n);
        return n;
    }
    // Links n right after pos, or at the front when pos is null; pos must be in this list. For
    // lists kept in order, whose owner finds pos by walking from the front.
    void insert_after(T* pos, T* n) noexcept {
        if (!pos) return push_front(n);
        T* after = (pos->*Hook).next;
        (n->*Hook).prev = pos;
        (n->*Hook).next = after;
        (pos->*Hook).next = n;
        if (after) {
            (after->*Hook).prev = n;
        } else if constexpr (kTail) {
            tail_ = n;
        }
    }
    // Empties the list in O(1) and returns its old front. The nodes keep their stale links, so
    // the caller can still walk them with next(), but must relink each one (re-sorting or
    // re-placing them) before anything else reads its links: the one exception to the
    // null-links-once-removed rule, which spares a write to every node of a batch that moves.
    T* take_all() noexcept {
        T* n = head_;
        head_ = nullptr;
        if constexpr (kTail) tail_ = nullptr;
        return n;
    }

private:
    T* head_ = nullptr;
    [[no_unique_address]] std::conditional_t<kTail, T*, NoTail> tail_{};
};

}  // namespace corio::detail
