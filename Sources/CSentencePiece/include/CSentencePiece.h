#ifndef CSENTENCEPIECE_H
#define CSENTENCEPIECE_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A C face for libsentencepiece, which only has a C++ API.
///
/// Conventions:
/// - Functions that can fail return a status code: 0 is success, 1-16 are
///   sentencepiece::util::StatusCode values, and WEFT_SPM_EXCEPTION marks a C++
///   exception caught at the boundary (none ever escapes).
/// - On failure, if `error_message` is not NULL, `*error_message` receives a
///   malloc'd NUL-terminated message the caller frees with weft_spm_free.
/// - Outputs come last. Arrays and strings returned through out-parameters are
///   malloc'd; free them with weft_spm_free (piece lists with weft_spm_pieces_free).
/// - Text goes in and out as UTF-8 (pointer, byte length); embedded NULs are allowed.
enum {
    WEFT_SPM_OK = 0,
    WEFT_SPM_INVALID_ARGUMENT = 3,
    WEFT_SPM_NOT_FOUND = 5,
    WEFT_SPM_OUT_OF_RANGE = 11,
    WEFT_SPM_INTERNAL = 13,
    WEFT_SPM_EXCEPTION = 100,
};

/// Opaque handle over sentencepiece::SentencePieceProcessor.
typedef struct weft_spp weft_spp;

/// A list of pieces in one buffer: piece i is bytes[offsets[i] ..< offsets[i + 1]].
typedef struct weft_spm_pieces {
    char *bytes;
    size_t *offsets; // count + 1 entries
    size_t count;
} weft_spm_pieces;

/// Supplies training sentences one at a time: set *sentence / *length and
/// return 1, or return 0 at the end, or a negative value to abort training.
/// *sentence must stay valid until the next call.
typedef int (*weft_spm_next_sentence)(void *context, const char **sentence, size_t *length);

/// Returns NULL only when memory is exhausted.
weft_spp *weft_spp_new(void);
void weft_spp_free(weft_spp *processor);

int weft_spp_load_file(weft_spp *processor, const char *path, char **error_message);
int weft_spp_load_serialized(weft_spp *processor, const void *bytes, size_t length,
                             char **error_message);
/// The loaded model as a serialized ModelProto (the bytes of a .model file).
int weft_spp_serialize(const weft_spp *processor, char **bytes, size_t *length,
                       char **error_message);

int weft_spp_encode_ids(const weft_spp *processor, const char *text, size_t length,
                        int32_t **ids, size_t *count, char **error_message);
int weft_spp_encode_pieces(const weft_spp *processor, const char *text, size_t length,
                           weft_spm_pieces *pieces, char **error_message);
/// Ids outside 0 ..< piece size give WEFT_SPM_OUT_OF_RANGE instead of a crash.
int weft_spp_decode_ids(const weft_spp *processor, const int32_t *ids, size_t count,
                        char **text, size_t *length, char **error_message);
/// pieces[i] has lengths[i] bytes.
int weft_spp_decode_pieces(const weft_spp *processor, const char *const *pieces,
                           const size_t *lengths, size_t count, char **text, size_t *length,
                           char **error_message);

/// Number of pieces, or 0 when no model is loaded.
int32_t weft_spp_piece_size(const weft_spp *processor);
/// The id of `piece`, or the unknown id when the model has no such piece
/// (-1 when no model is loaded).
int32_t weft_spp_piece_to_id(const weft_spp *processor, const char *piece, size_t length);
/// Points *piece at the piece's bytes, owned by the processor and valid while
/// it lives and loads nothing else. WEFT_SPM_OUT_OF_RANGE for a bad id.
int weft_spp_id_to_piece(const weft_spp *processor, int32_t id, const char **piece,
                         size_t *length);
/// Score of a piece (log probability for unigram models); 0 for a bad id.
float weft_spp_score(const weft_spp *processor, int32_t id);

/// Piece kinds; all return 0 for a bad id or when no model is loaded.
int weft_spp_is_unknown(const weft_spp *processor, int32_t id);
int weft_spp_is_control(const weft_spp *processor, int32_t id);
int weft_spp_is_unused(const weft_spp *processor, int32_t id);
int weft_spp_is_byte(const weft_spp *processor, int32_t id);

/// Reserved ids; -1 when the model disables them or no model is loaded.
int32_t weft_spp_unk_id(const weft_spp *processor);
int32_t weft_spp_bos_id(const weft_spp *processor);
int32_t weft_spp_eos_id(const weft_spp *processor);
int32_t weft_spp_pad_id(const weft_spp *processor);

/// Trains a model from spm_train-style flags ("--vocab_size=8000 --model_type=bpe ...").
/// Sentences come from `next_sentence` when it is not NULL, else from the
/// --input flag. With `model_bytes` not NULL the model is returned serialized
/// (and --model_prefix may be omitted); otherwise it is written to
/// <model_prefix>.model and <model_prefix>.vocab.
int weft_spm_train(const char *arguments, weft_spm_next_sentence next_sentence, void *context,
                   char **model_bytes, size_t *model_length, char **error_message);

/// Training and loading log to stderr below this level: 0 info, 1 warning,
/// 2 error, 3 fatal only.
void weft_spm_set_min_log_level(int level);
/// Seeds sentencepiece's random generator (sampling during training).
void weft_spm_set_random_seed(uint32_t seed);

void weft_spm_free(void *pointer);
void weft_spm_pieces_free(weft_spm_pieces *pieces);

#ifdef __cplusplus
}
#endif
#endif
