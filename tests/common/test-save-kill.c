/* kill -9 during saves: a child saves a project over and over (one image
 * more each time) and is killed at a random moment, 100 times. After each
 * kill the project must open, as the last save that finished or the one
 * that was under way — never broken, never older. The child reports each
 * finished save on a pipe, so the kill lands at a random point of a save
 * however slow the machine is, not only while the process starts.
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

/* The child: load, add an image, save, forever; one byte on stdout when
 * it starts and after each save. */
static int
save_forever(const char *path, const char *png)
{
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
        if (write(STDOUT_FILENO, "s", 1) != 1)
            return 1;
    }
}

/* Starts the saver with its stdout on a pipe; returns the read end. */
static int
spawn_saver(const char *path, const char *png, pid_t *pid)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    char *child_argv[] = { "/proc/self/exe", "--save-forever", (char *)path, (char *)png, NULL };
    int spawned = posix_spawn(pid, "/proc/self/exe", &actions, NULL, child_argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (spawned != 0) {
        close(fds[0]);
        return -1;
    }
    return fds[0];
}

/* Waits for the child to start and finish `saves` saves; returns the mean
 * microseconds a save took (0 when none was waited for). */
static gint64
wait_for_saves(int fd, int saves)
{
    char byte;
    if (read(fd, &byte, 1) != 1)
        return -1;
    gint64 start = g_get_monotonic_time();
    for (int i = 0; i < saves; i++)
        if (read(fd, &byte, 1) != 1)
            return -1;
    return saves ? (g_get_monotonic_time() - start) / saves : 0;
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
    gint64 typical_save_us = 20000;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
        pid_t pid;
        int fd = spawn_saver(path, png, &pid);
        if (fd < 0) {
            g_printerr("cannot start the saver\n");
            return 1;
        }
        /* Let 0–2 saves finish, then kill somewhere inside one of about
         * a save's length (the first cycles' figure when none was timed). */
        gint64 save_us = wait_for_saves(fd, g_rand_int_range(rand, 0, 3));
        if (save_us > 0)
            typical_save_us = save_us;
        if (save_us >= 0)
            g_usleep(g_rand_int_range(rand, 0, (gint32)MAX(typical_save_us, 1000)));
        kill(pid, SIGKILL);
        close(fd);
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
