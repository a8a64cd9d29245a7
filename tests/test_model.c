#include <criterion/criterion.h>

#include "gm_model.h"

Test(model, placeholder)
{
        cr_assert(1);
}
