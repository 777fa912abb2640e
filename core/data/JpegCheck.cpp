#include "core/data/JpegCheck.h"

#include <csetjmp>
#include <cstdio>
#include <jpeglib.h>
#include <jerror.h>

namespace ds {
namespace {

struct CheckingErrors {
    jpeg_error_mgr manager;
    std::jmp_buf failed;
    std::string problem;
};

void remember(j_common_ptr info)
{
    auto* errors = reinterpret_cast<CheckingErrors*>(info->err);
    if (!errors->problem.empty())
        return;
    char text[JMSG_LENGTH_MAX] = {};
    (*info->err->format_message)(info, text);
    errors->problem = text;
}

// Warnings (level -1) that mean image data is missing or wrong. Others (extraneous bytes
// before a marker, an unknown JFIF revision, a bad ICC profile) are common in files
// cameras write and harm no pixel.
void onMessage(j_common_ptr info, int level)
{
    if (level >= 0)
        return;
    switch (info->err->msg_code) {
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_JPEG_EOF:
    case JWRN_MUST_RESYNC: remember(info); break;
    default: break;
    }
}

[[noreturn]] void onError(j_common_ptr info)
{
    remember(info);
    std::longjmp(reinterpret_cast<CheckingErrors*>(info->err)->failed, 1);
}

} // namespace

std::string jpegDataProblem(const std::vector<std::uint8_t>& bytes)
{
    jpeg_decompress_struct info {};
    CheckingErrors errors;
    info.err = jpeg_std_error(&errors.manager);
    errors.manager.emit_message = onMessage;
    errors.manager.error_exit = onError;
    // Nothing with a destructor is created between setjmp and a longjmp to it; the row
    // buffer belongs to libjpeg's pool, freed with the decompressor.
    if (setjmp(errors.failed)) {
        jpeg_destroy_decompress(&info);
        return errors.problem.empty() ? std::string("cannot be decoded") : errors.problem;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, bytes.data(), static_cast<unsigned long>(bytes.size()));
    jpeg_read_header(&info, TRUE);
    // At 1/8 scale every coefficient is still entropy-decoded (where corruption shows)
    // while almost no inverse transform is done: a fraction of a full decode's time.
    info.scale_num = 1;
    info.scale_denom = 8;
    info.dct_method = JDCT_IFAST;
    info.do_fancy_upsampling = FALSE;
    jpeg_start_decompress(&info);
    JSAMPARRAY row = (*info.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&info), JPOOL_IMAGE,
                                               info.output_width * JDIMENSION(info.output_components), 1);
    while (info.output_scanline < info.output_height)
        jpeg_read_scanlines(&info, row, 1);
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return errors.problem;
}

} // namespace ds
