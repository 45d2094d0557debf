/* kill -9 during saves: a child saves a project over and over (one image
 * more each time) and is killed at a random moment, 100 times. After each
 * kill the project must open, as the last save that finished or the one
 * that was under way — never broken, never older.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "gs-png.h"
#include "gs-project.h"

#define CYCLES 100

extern char **environ;

/* The child: load, add an image, save, forever. */
static int
save_forever(const char *path, const char *png)
{
    /* Started: the parent's random delay counts from here, so that a slow
     * start (a sanitizer build) does not eat it. */
    if (write(STDOUT_FILENO, "r", 1) != 1)
        return 1;
    for (;;) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GsProject) project =
            g_file_test(path, G_FILE_TEST_EXISTS) ? gs_project_load(path, &error) : gs_project_new();
        if (!project) {
            g_printerr("the saver cannot open %s: %s\n", path, error->message);
            return 1;
        }
        gs_project_add_image(project, png, "red apple\nSteps: 20, Seed: 42");
        if (!gs_project_save(project, path, &error)) {
            g_printerr("the saver cannot save %s: %s\n", path, error->message);
            return 1;
        }
    }
}

int
main(int argc, char **argv)
{
    if (argc == 4 && g_str_equal(argv[1], "--save-forever"))
        return save_forever(argv[2], argv[3]);

    int failures = 0;
    g_autofree char *dir = g_dir_make_tmp("gs-save-kill-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "work.genstudio", NULL);
    g_autofree char *png = g_build_filename(dir, "apple.png", NULL);
    float rgb[16 * 16 * 3] = { 0.5f };
    if (!gs_png_save(png, rgb, 16, 16, NULL, 0, NULL))
        return 1;
    GRand *rand = g_rand_new_with_seed(42);
    guint last = 0, loads = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
        char *child_argv[] = { "/proc/self/exe", "--save-forever", path, png, NULL };
        pid_t pid;
        int ready[2];
        posix_spawn_file_actions_t actions;
        if (pipe(ready) != 0 || posix_spawn_file_actions_init(&actions) != 0 ||
            posix_spawn_file_actions_adddup2(&actions, ready[1], STDOUT_FILENO) != 0 ||
            posix_spawn(&pid, "/proc/self/exe", &actions, NULL, child_argv, environ) != 0) {
            g_printerr("cannot start the saver\n");
            return 1;
        }
        posix_spawn_file_actions_destroy(&actions);
        close(ready[1]);
        char byte;
        if (read(ready[0], &byte, 1) != 1)
            g_printerr("cycle %d: the saver did not start\n", cycle);
        close(ready[0]);
        g_usleep(g_rand_int_range(rand, 2000, 60000));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        if (!WIFSIGNALED(status)) {
            g_printerr("cycle %d: the saver ended by itself (status %d)\n", cycle, status);
            failures++;
            continue;
        }
        if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
            if (last != 0) {
                g_printerr("cycle %d: the project is gone\n", cycle);
                failures++;
            }
            continue; /* killed before the first save finished: still new */
        }
        g_autoptr(GError) error = NULL;
        g_autoptr(GsProject) project = gs_project_load(path, &error);
        if (!project) {
            g_printerr("cycle %d: the project does not open: %s\n", cycle, error->message);
            failures++;
            continue;
        }
        guint n = gs_project_get_n_images(project);
        if (n < last) {
            g_printerr("cycle %d: the project went back from %u images to %u\n", cycle, last, n);
            failures++;
        }
        last = n;
        loads++;
    }
    g_rand_free(rand);
    g_print("%d kills, the project opened after %u of them, %u saves survived\n", CYCLES, loads, last);
    if (last == 0) {
        g_printerr("no save ever finished\n");
        failures++;
    }
    g_autofree char *command = g_strdup_printf("rm -rf '%s'", dir);
    if (system(command) != 0)
        g_printerr("cannot remove %s\n", dir);
    return failures != 0;
}
